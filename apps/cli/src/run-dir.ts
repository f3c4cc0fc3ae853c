// One run per output directory (`llmfs pretrain --out DIR`): a lock file in DIR held for the whole run
// (a lock left by a killed run is taken over, and said so), temporary files of a killed save removed,
// and a fresh run refused where another run's checkpoints or model sit, unless --overwrite.
import fs from 'node:fs';
import path from 'node:path';
import {
  LockHeldError,
  MANIFEST_FILE,
  acquireFileLock,
  describeLockOwner,
  listCheckpoints,
  removeCheckpointDir,
  type FileLock,
} from '@llmfs/gpt2-weights';
import { UserError } from './common.js';

/** The lock file inside a run directory. */
export const RUN_LOCK_FILE = '.llmfs.lock';
/** What a finished run leaves in its directory besides checkpoints/ (removed by --overwrite). */
const RUN_OUTPUTS = ['model.safetensors', 'config.json', 'loss.svg', 'loss.png'];

/** A run directory this process holds. */
export interface RunDir {
  readonly dir: string;
  release(): void;
}

/** The run directory of a `--resume` argument: the run itself, or the run a checkpoint sits in. */
export function runDirOfResume(resume: string): string {
  if (!fs.existsSync(path.join(resume, MANIFEST_FILE))) return resume;
  const parent = path.dirname(path.resolve(resume));
  return path.basename(parent) === 'checkpoints' ? path.dirname(parent) : parent;
}

/** Takes the lock of `--json-log FILE` (a lock file beside it), so two runs never write one log. */
export async function lockJsonLog(file: string): Promise<FileLock> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true }); // checkOutputFile: creatable
  try {
    return await acquireFileLock(`${file}.lock`, { command: 'llmfs pretrain' });
  } catch (err) {
    if (!(err instanceof LockHeldError) || !err.owner) throw err;
    throw new UserError(
      `--json-log ${file}: another run writes this log (${describeLockOwner(err.owner)}); choose another --json-log`,
    );
  }
}

/**
 * Creates and locks `out` for a run. `fresh`: a new run, which must not mix with another run's
 * checkpoints (`overwrite` removes them first). `log` gets the lines about stale locks and temp files.
 */
export async function openRunDir(
  out: string,
  opts: { fresh: boolean; overwrite?: boolean; resumeHint?: string; log: (line: string) => void },
): Promise<RunDir> {
  fs.mkdirSync(out, { recursive: true }); // safe: checkOutputDir has ruled out /proc and friends
  let lock: FileLock;
  try {
    lock = await acquireFileLock(path.join(out, RUN_LOCK_FILE), { command: 'llmfs pretrain' });
  } catch (err) {
    if (!(err instanceof LockHeldError)) throw err;
    throw new UserError(
      err.owner
        ? `--out ${out}: another run is writing there (${describeLockOwner(err.owner)}); wait for it or choose another --out`
        : `--out ${out}: locked by ${err.lockPath}, which names no process; delete it if no run uses ${out}`,
    );
  }
  const onExit = () => lock.release(); // process.exit (a second Ctrl-C) skips the callers' finally
  process.on('exit', onExit);
  const release = () => {
    process.off('exit', onExit);
    lock.release();
  };
  try {
    if (lock.tookOverFrom)
      opts.log(`llmfs: took over the lock of ${describeLockOwner(lock.tookOverFrom)}, whose process is gone`);
    const removed = removeSaveLeftovers(out);
    if (removed)
      opts.log(`llmfs: removed ${removed} temporary file${removed === 1 ? '' : 's'} of an interrupted save`);
    if (opts.fresh) await checkNoOtherRun(out, opts.overwrite, opts.resumeHint);
  } catch (err) {
    release();
    throw err;
  }
  return { dir: out, release };
}

/** Removes what a killed save leaves (we hold the lock, so no other process is saving here). */
function removeSaveLeftovers(out: string): number {
  let n = 0;
  const ck = path.join(out, 'checkpoints');
  for (const [dir, pattern] of [
    [out, /\.tmp-/],
    [ck, /^\.tmp-step-/],
  ] as const) {
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir)) {
      if (!pattern.test(name)) continue;
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      n++;
    }
  }
  // lock files of dead takers (written, then linked to the lock's name)
  for (const name of fs.readdirSync(out))
    if (name.startsWith(`${RUN_LOCK_FILE}.`)) {
      const pid = Number(/^\.llmfs\.lock\.(?:stale-)?(\d+)-/.exec(name)?.[1]);
      if (pid && pid !== process.pid && !alive(pid)) fs.rmSync(path.join(out, name), { force: true });
    }
  return n;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A fresh run refuses a directory holding another run's checkpoints or model (or clears it). */
async function checkNoOtherRun(out: string, overwrite: boolean | undefined, resumeHint = out): Promise<void> {
  const ckRoot = path.join(out, 'checkpoints');
  const checkpoints = fs.existsSync(ckRoot) ? fs.readdirSync(ckRoot).filter((n) => /^step-\d+$/.test(n)) : [];
  const outputs = RUN_OUTPUTS.filter((f) => fs.existsSync(path.join(out, f)));
  if (checkpoints.length === 0 && !outputs.includes('model.safetensors')) return;
  if (!overwrite) {
    const valid = await listCheckpoints(ckRoot);
    const what = valid.length
      ? `another run's checkpoints (up to step ${valid[valid.length - 1].step})`
      : checkpoints.length
        ? `another run's checkpoints`
        : 'a model (model.safetensors)';
    throw new UserError(
      `--out ${out}: holds ${what}; continue it with --resume ${resumeHint}, or pass --overwrite to replace it`,
    );
  }
  for (const name of checkpoints) await removeCheckpointDir(path.join(ckRoot, name));
  for (const f of outputs) fs.rmSync(path.join(out, f), { force: true });
}
