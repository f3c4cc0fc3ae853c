// A lock file that one process holds over a resource (a run directory, a file in the download cache).
// It is created whole or not at all (written to a private file, then hard-linked to the lock's name,
// which fails when a lock exists), and records the owner's pid, host and start time, so that another
// process can name the holder, and can take over a lock whose process is gone (killed with kill -9).
// Node only; node:fs, node:os and node:path are loaded lazily like the package's other Node files.
import { LockHeldError } from './errors.js';

/** Who holds a lock (the lock file's JSON). */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** What the holder runs, for the message of a second process (e.g. "llmfs pretrain"). */
  command?: string;
  /** Where the lock was taken: a lock file copied along with its folder (cp -r of a run) names another place. */
  path?: string;
}

/** A lock held by this process. */
export interface FileLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** The dead holder whose lock this one replaced, if any. */
  readonly tookOverFrom?: LockOwner;
  /** Whether this process had to wait for another holder first. */
  readonly waited: boolean;
  /** Removes the lock file (only if it is still this process's lock); safe to call twice. */
  release(): void;
}

/** Options of acquireFileLock. */
export interface AcquireLockOptions {
  command?: string;
  /** Wait this long for a live holder to finish (default 0: fail at once with LockHeldError). */
  waitMs?: number;
  /** Poll interval while waiting (default 200 ms). */
  pollMs?: number;
  /** Called once when the lock is held by a live process and this call is going to wait. */
  onWait?: (owner: LockOwner) => void;
}

type Fs = typeof import('node:fs');
interface NodeMods {
  fs: Fs;
  os: typeof import('node:os');
  path: typeof import('node:path');
}
let mods: NodeMods | undefined;
async function nodeMods(): Promise<NodeMods> {
  mods ??= {
    fs: await import('node:fs'),
    os: await import('node:os'),
    path: await import('node:path'),
  };
  return mods;
}

// Locks this process holds: a lock file naming our own pid that is not in here is a leftover of an
// earlier process that had the same pid (pids are reused, e.g. after a container restart).
const heldHere = new Map<string, LockOwner>();

function readOwner(fs: Fs, file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as LockOwner;
    if (Number.isInteger(o?.pid) && o.pid > 0 && typeof o.hostname === 'string') return o;
  } catch {
    // unreadable or not JSON: treated as a lock whose holder cannot be named
  }
  return undefined;
}

/** Whether the process named in `owner` still runs (a process on another host is assumed to). */
export async function lockOwnerAlive(owner: LockOwner, lockPath?: string): Promise<boolean> {
  const { os, path } = await nodeMods();
  if (owner.hostname !== os.hostname()) return true;
  if (owner.pid === process.pid) return lockPath !== undefined && heldHere.has(path.resolve(lockPath));
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but another user's
  }
}

const same = (a: LockOwner | undefined, b: LockOwner | undefined) =>
  !!a && !!b && a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;

/** One attempt: the lock, or the live owner that holds it. */
async function tryAcquire(
  lockPath: string,
  command: string | undefined,
): Promise<Omit<FileLock, 'waited'> | { heldBy: LockOwner | undefined }> {
  const { fs, os, path } = await nodeMods();
  const abs = path.resolve(lockPath);
  const owner: LockOwner = {
    pid: process.pid,
    hostname: os.hostname(),
    startedAt: new Date().toISOString(),
    ...(command ? { command } : {}),
    path: abs,
  };
  const mine = `${abs}.${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  fs.writeFileSync(mine, JSON.stringify(owner) + '\n');
  let tookOverFrom: LockOwner | undefined;
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        fs.linkSync(mine, abs); // atomic: fails with EEXIST while another lock exists
        heldHere.set(abs, owner);
        return {
          path: abs,
          owner,
          tookOverFrom,
          release() {
            if (heldHere.get(abs) !== owner) return;
            heldHere.delete(abs);
            if (same(readOwner(fs, abs), owner)) fs.rmSync(abs, { force: true });
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = readOwner(fs, abs);
      if (held === undefined) {
        // No readable owner: a lock file someone wrote by hand, or one that vanished just now.
        if (!fs.existsSync(abs)) continue;
        return { heldBy: undefined };
      }
      const copied = held.path !== undefined && held.path !== abs;
      if (!copied && (await lockOwnerAlive(held, abs))) return { heldBy: held };
      // The holder is gone (or the lock was copied here from elsewhere). Move its lock aside under a private name and check that what moved is
      // still that dead holder's lock (another process may have taken it over in the meantime).
      const claim = `${abs}.stale-${process.pid}-${attempt}`;
      try {
        fs.renameSync(abs, claim);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      if (same(readOwner(fs, claim), held)) tookOverFrom = held;
      else {
        try {
          fs.linkSync(claim, abs); // a fresh lock moved by mistake: put it back
        } catch {
          // a third process locked meanwhile; the moved lock's owner learns it at its release
        }
      }
      fs.rmSync(claim, { force: true });
    }
    return { heldBy: readOwner(fs, abs) };
  } finally {
    fs.rmSync(mine, { force: true });
  }
}

/**
 * Takes the lock at `lockPath`: at once when free or when its holder is dead (`tookOverFrom` says
 * whose), after waiting up to `waitMs` for a live holder, else a LockHeldError naming the holder.
 */
export async function acquireFileLock(lockPath: string, opts: AcquireLockOptions = {}): Promise<FileLock> {
  const deadline = Date.now() + (opts.waitMs ?? 0);
  let told = false;
  for (;;) {
    const r = await tryAcquire(lockPath, opts.command);
    if (!('heldBy' in r)) return { ...r, waited: told };
    if (Date.now() >= deadline) throw new LockHeldError(lockPath, r.heldBy);
    if (!told && r.heldBy) opts.onWait?.(r.heldBy);
    told = true;
    await new Promise((res) => setTimeout(res, opts.pollMs ?? 200));
  }
}

/** "pid 123 on host h since 2025-...": the holder of a lock, for messages. */
export function describeLockOwner(owner: LockOwner): string {
  return `pid ${owner.pid} on ${owner.hostname} since ${owner.startedAt}${owner.command ? ` (${owner.command})` : ''}`;
}
