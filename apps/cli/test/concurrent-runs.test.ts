// Rows 7-9 of issue 16 and the killed run: `llmfs pretrain` processes on one --out or one --json-log.
// A second run is refused at once (exit 1, one line naming the holder) while the first finishes
// intact; a lock left by a run killed with kill -9 is taken over by the next run, which says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLineOf, llmfsChild } from './in-process.js';
import { TINY_HF, VERDICT } from './fixtures.js';

const tmp = makeTempDir('llmfs-concurrent-');
afterAll(tmp.cleanup);

const RUN = [
  '--model',
  TINY_HF,
  '--data',
  VERDICT,
  '--context-length',
  '32',
  '--batch-size',
  '2',
  '--eval-freq',
  '0',
  '--save-every',
  '1',
  '--no-shuffle',
];

/** Lines of a JSON log, each parsed (a torn line fails the parse). */
function logLines(file: string): Array<Record<string, number>> {
  return fs
    .readFileSync(file, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
}

async function until(what: () => boolean, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!what()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const stepsIn = (file: string) =>
  fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"loss"')).length
    : 0;

describe('two pretrain runs at once', () => {
  it('rows 7-9: one --out, or one --json-log: the second is refused at once; the first finishes intact', async () => {
    const out = path.join(tmp.dir, 'dup');
    const log = path.join(tmp.dir, 'dup.jsonl');
    const first = llmfsChild(['pretrain', ...RUN, '--max-steps', '6', '--out', out, '--json-log', log]);
    await until(() => stepsIn(log) >= 1);
    // the first is paused mid-run (SIGSTOP), so that it surely still runs while the others start
    first.kill('SIGSTOP');
    // meanwhile: the same --out (with its own log), and another --out with the same log
    const [sameOut, sameLog] = await Promise.all([
      llmfsChild(['pretrain', ...RUN, '--max-steps', '6', '--out', out, '--json-log', `${log}.2`]).done,
      llmfsChild(['pretrain', ...RUN, '--max-steps', '6', '--out', `${out}-b`, '--json-log', log]).done,
    ]);
    first.kill('SIGCONT');
    const a = await first.done;
    expect(a.code, a.stderr).toBe(0);
    const holder = `pid ${first.pid} on ${os.hostname()} since \\S+ \\(llmfs pretrain\\)`;
    expect(sameOut.code).toBe(1);
    expect(errorLineOf(sameOut)).toMatch(
      new RegExp(
        `^llmfs: --out ${out}: another run is writing there \\(${holder}\\); wait for it or choose another --out$`,
      ),
    );
    expect(sameLog.code).toBe(1);
    expect(errorLineOf(sameLog)).toMatch(
      new RegExp(
        `^llmfs: --json-log ${log}: another run writes this log \\(${holder}\\); choose another --json-log$`,
      ),
    );
    // the refused runs wrote nothing: no log of their own, no steps in the shared one, no model
    expect(fs.existsSync(`${log}.2`)).toBe(false);
    expect(fs.existsSync(path.join(`${out}-b`, 'model.safetensors'))).toBe(false);
    expect(logLines(log).map((l) => l.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual(['step-00000005', 'step-00000006']);
    expect(fs.readdirSync(out).sort()).toEqual(['checkpoints', 'config.json', 'model.safetensors']);
    expect(a.stdout.trim().split('\n').pop()).toBe(`model directory: ${out}`);
  });

  it('a lock left by a run killed with kill -9 is taken over by the next run, which says so', async () => {
    const out = path.join(tmp.dir, 'killed');
    const log = path.join(tmp.dir, 'killed.jsonl');
    const victim = llmfsChild(['pretrain', ...RUN, '--max-steps', '40', '--out', out, '--json-log', log]);
    await until(() => fs.existsSync(path.join(out, 'checkpoints', 'step-00000002', 'manifest.json')));
    victim.kill('SIGKILL');
    const dead = await victim.done;
    expect(dead.signal).toBe('SIGKILL');
    const lock = JSON.parse(fs.readFileSync(path.join(out, '.llmfs.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: victim.pid, hostname: os.hostname(), command: 'llmfs pretrain' });

    // the newest complete checkpoint S (the kill may land a step or two after step 2)
    const saved = fs
      .readdirSync(path.join(out, 'checkpoints'))
      .filter((d) => fs.existsSync(path.join(out, 'checkpoints', d, 'manifest.json')))
      .map((d) => Number(d.slice('step-'.length)));
    const S = Math.max(...saved);
    const next = await llmfsChild(['pretrain', '--resume', out, '--max-steps', String(S + 2)]).done;
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(
      `llmfs: took over the lock of pid ${victim.pid} on ${os.hostname()} since ${lock.startedAt} (llmfs pretrain), whose process is gone`,
    );
    expect(fs.existsSync(path.join(out, '.llmfs.lock'))).toBe(false);
    expect(fs.existsSync(`${log}.lock`)).toBe(false);
    const steps = logLines(log).map((l) => l.step);
    expect(steps.slice(-2)).toEqual([S, S + 1]);
    const name = (k: number) => `step-${String(k).padStart(8, '0')}`;
    expect(fs.readdirSync(path.join(out, 'checkpoints')).sort()).toEqual([name(S + 1), name(S + 2)]);
  });
});
