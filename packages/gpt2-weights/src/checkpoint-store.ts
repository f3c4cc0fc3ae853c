// Crash-safe training checkpoints on disk: everything is written into a temporary directory, each file
// fsynced, a manifest (file sizes and SHA-256) written last, then the directory is renamed into place.
// A directory without a valid manifest is never offered for resume. Node only: node:fs is loaded lazily,
// so browser bundles of the package never need it.
import { CheckpointError } from './errors.js';
import { fsyncDir, writeFileAtomic } from './node-files.js';

/** Name of the file written last into a checkpoint directory. */
export const MANIFEST_FILE = 'manifest.json';

interface Manifest {
  format: 'llmfs-checkpoint';
  version: 1;
  step: number;
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

/** A checkpoint directory found on disk. */
export interface CheckpointEntry {
  dir: string;
  step: number;
}

const nodeFs = () => import('node:fs/promises');
const nodePath = () => import('node:path');

async function fsyncFile(p: string): Promise<void> {
  const fs = await nodeFs();
  const fh = await fs.open(p, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function sha256File(file: string): Promise<string> {
  const crypto = await import('node:crypto');
  const fs = await nodeFs();
  const h = crypto.createHash('sha256');
  const fh = await fs.open(file, 'r');
  const buf = new Uint8Array(1 << 22);
  try {
    let n: number;
    while ((n = (await fh.read(buf, 0, buf.length, null)).bytesRead) > 0) h.update(buf.subarray(0, n));
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

const exists = async (p: string) =>
  (await nodeFs()).stat(p).then(
    () => true,
    () => false,
  );

/** Directory name of the checkpoint after `step` optimizer steps. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Writes a checkpoint under `root` as `step-NNNNNNNN/`: `fill(tmpDir)` fills a temporary directory,
 * then every file is fsynced, the manifest is written last and the directory renamed into place.
 * Returns the final directory. An existing checkpoint of the same step is replaced.
 */
export async function writeCheckpointDir(
  root: string,
  step: number,
  fill: (dir: string) => Promise<void>,
): Promise<string> {
  const fs = await nodeFs();
  const path = await nodePath();
  await fs.mkdir(root, { recursive: true });
  const final = path.join(root, checkpointName(step));
  const tmp = path.join(root, `.tmp-${checkpointName(step)}-${process.pid}-${Date.now()}`);
  await fs.mkdir(tmp);
  await fill(tmp);
  const files: Manifest['files'] = [];
  for (const name of (await fs.readdir(tmp)).sort()) {
    const p = path.join(tmp, name);
    const st = await fs.stat(p);
    if (!st.isFile()) continue;
    await fsyncFile(p);
    files.push({ name, bytes: st.size, sha256: await sha256File(p) });
  }
  const manifest: Manifest = { format: 'llmfs-checkpoint', version: 1, step, files };
  const text = new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n');
  await writeFileAtomic(path.join(tmp, MANIFEST_FILE), [text]);
  if (await exists(final)) await removeCheckpointDir(final);
  await fs.rename(tmp, final);
  await fsyncDir(root);
  return final;
}

/**
 * Checks a checkpoint directory against its manifest (sizes always; SHA-256 when `verifyHashes`).
 * Returns its step, or undefined when the manifest is missing, unreadable or does not match.
 */
export async function validateCheckpointDir(
  dir: string,
  opts: { verifyHashes?: boolean } = {},
): Promise<number | undefined> {
  const fs = await nodeFs();
  const path = await nodePath();
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest?.format !== 'llmfs-checkpoint' || !Array.isArray(manifest.files)) return undefined;
  for (const f of manifest.files) {
    const p = path.join(dir, f.name);
    try {
      if ((await fs.stat(p)).size !== f.bytes) return undefined;
    } catch {
      return undefined;
    }
    if (opts.verifyHashes && (await sha256File(p)) !== f.sha256) return undefined;
  }
  return manifest.step;
}

/** Valid checkpoints under `root`, oldest first (temporary and manifest-less directories are skipped). */
export async function listCheckpoints(root: string): Promise<CheckpointEntry[]> {
  const fs = await nodeFs();
  const path = await nodePath();
  if (!(await exists(root))) return [];
  const out: CheckpointEntry[] = [];
  for (const name of await fs.readdir(root)) {
    if (!/^step-\d+$/.test(name)) continue;
    const dir = path.join(root, name);
    const step = await validateCheckpointDir(dir);
    if (step !== undefined) out.push({ dir, step });
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The newest checkpoint to resume from: `dir` itself when it holds a manifest, else the newest valid
 * one under `dir` or `dir/checkpoints` (SHA-256 verified; a corrupt one falls back to the previous).
 */
export async function findResumeCheckpoint(dir: string): Promise<string> {
  const path = await nodePath();
  if (await exists(path.join(dir, MANIFEST_FILE))) {
    if ((await validateCheckpointDir(dir, { verifyHashes: true })) === undefined) {
      throw new CheckpointError(`${dir}: the checkpoint does not match its ${MANIFEST_FILE}`);
    }
    return dir;
  }
  for (const root of [path.join(dir, 'checkpoints'), dir]) {
    const list = (await listCheckpoints(root)).reverse();
    for (const c of list)
      if ((await validateCheckpointDir(c.dir, { verifyHashes: true })) !== undefined) return c.dir;
  }
  throw new CheckpointError(
    `${dir}: no complete checkpoint (a directory with ${MANIFEST_FILE}) to resume from`,
  );
}

/** Removes a checkpoint directory, its manifest first so that a half-removed one is never valid. */
export async function removeCheckpointDir(dir: string): Promise<void> {
  const fs = await nodeFs();
  const path = await nodePath();
  const m = path.join(dir, MANIFEST_FILE);
  if (await exists(m)) {
    await fs.unlink(m);
    await fsyncDir(dir);
  }
  await fs.rm(dir, { recursive: true, force: true });
}

/** Keeps the newest `keepLast` checkpoints under `root`, removes older ones and stale temporaries. */
export async function pruneCheckpoints(root: string, keepLast: number): Promise<void> {
  const fs = await nodeFs();
  const path = await nodePath();
  const list = await listCheckpoints(root);
  for (const c of list.slice(0, Math.max(0, list.length - keepLast))) await removeCheckpointDir(c.dir);
  for (const name of await fs.readdir(root)) {
    const m = /^\.tmp-step-\d+-(\d+)-/.exec(name);
    if (m && Number(m[1]) !== process.pid)
      await fs.rm(path.join(root, name), { recursive: true, force: true });
  }
}
