// The lock file shared by `llmfs pretrain --out` and the download cache: one holder at a time, the
// holder named to the next one, a lock left by a killed process taken over, a lock from another host
// respected, and release that never removes someone else's lock.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { LockHeldError } from './errors.js';
import { acquireFileLock } from './lock-file.js';

const tmp = makeTempDir('llmfs-lock-');
afterAll(tmp.cleanup);
let n = 0;
const lockPath = () => path.join(tmp.dir, `l${n++}.lock`);

/** The pid of a process that has exited (so no process has that pid, barring a quick reuse). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

describe('acquireFileLock', () => {
  it('writes pid, host and start time; a second taker gets a LockHeldError naming the holder', async () => {
    const p = lockPath();
    const lock = await acquireFileLock(p, { command: 'llmfs pretrain' });
    const owner = JSON.parse(fs.readFileSync(p, 'utf8'));
    expect(owner).toEqual({
      pid: process.pid,
      hostname: os.hostname(),
      startedAt: lock.owner.startedAt,
      command: 'llmfs pretrain',
      path: p,
    });
    expect(Date.parse(owner.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    const err = await acquireFileLock(p).catch((e) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect(err.message).toBe(
      `${p}: held by pid ${process.pid} on ${os.hostname()} since ${owner.startedAt} (llmfs pretrain)`,
    );
    lock.release();
    lock.release();
    expect(fs.existsSync(p)).toBe(false);
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith(path.basename(p)))).toEqual([]);
    (await acquireFileLock(p)).release();
  });

  it('takes over a lock whose process is gone, and says whose it was', async () => {
    const p = lockPath();
    const pid = deadPid();
    const stale = { pid, hostname: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z' };
    fs.writeFileSync(p, JSON.stringify(stale));
    const lock = await acquireFileLock(p);
    expect(lock.tookOverFrom).toEqual(stale);
    expect(JSON.parse(fs.readFileSync(p, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.readdirSync(tmp.dir).filter((f) => f.startsWith(path.basename(p)))).toEqual([]);
  });

  it('a lock copied from another place (cp -r of a run in progress) is not the holder of this one', async () => {
    const p = lockPath();
    const other = await acquireFileLock(lockPath());
    fs.copyFileSync(other.path, p);
    const lock = await acquireFileLock(p);
    expect(lock.tookOverFrom?.path).toBe(other.path);
    await expect(acquireFileLock(other.path)).rejects.toThrow(LockHeldError); // the original still holds
    lock.release();
    other.release();
  });

  it('a lock naming this pid but not held by this process is a leftover (pid reuse)', async () => {
    const p = lockPath();
    fs.writeFileSync(p, JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: 'x' }));
    const lock = await acquireFileLock(p);
    expect(lock.tookOverFrom?.startedAt).toBe('x');
    lock.release();
  });

  it("respects another host's lock and an unreadable one; waits for a live holder", async () => {
    const p = lockPath();
    fs.writeFileSync(p, JSON.stringify({ pid: 1, hostname: 'elsewhere.invalid', startedAt: 'y' }));
    await expect(acquireFileLock(p)).rejects.toThrow(/held by pid 1 on elsewhere\.invalid since y$/);
    fs.writeFileSync(p, '{');
    await expect(acquireFileLock(p)).rejects.toThrow(/without a readable owner/);
    fs.rmSync(p);
    const first = await acquireFileLock(p);
    const waits: number[] = [];
    const second = acquireFileLock(p, { waitMs: 20_000, pollMs: 10, onWait: (o) => waits.push(o.pid) });
    await new Promise((r) => setTimeout(r, 100));
    // the other taker is still waiting: the file is first's
    expect(JSON.parse(fs.readFileSync(p, 'utf8')).startedAt).toBe(first.owner.startedAt);
    first.release();
    const got = await second;
    expect(got.waited).toBe(true);
    expect(waits).toEqual([process.pid]);
    expect(JSON.parse(fs.readFileSync(p, 'utf8')).startedAt).toBe(got.owner.startedAt);
    // first's late release does not remove second's lock
    first.release();
    expect(fs.existsSync(p)).toBe(true);
    await expect(acquireFileLock(p)).rejects.toThrow(LockHeldError);
    got.release();
    expect(fs.existsSync(p)).toBe(false);
  });
});
