// The memory plan through the CLI, with a test-only heap budget (LLMFS_HEAP_BUDGET) that is far too small
// for gpt-tiny: pretrain streams (host-resident parameters, recompute, chunked logits) and still logs
// the book's six AdamW losses; generate streams and still prints the book's greedy ids; loss streams and
// still gives the fixture's cross-entropy; a model too big for any plan is one line and exit 1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath, gptTinyExpected, makeTempDir } from '@llmfs/testing';
import { GPT_TINY_ADAMW, GPT_TINY_RUN } from '../../test/fixtures.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');
const tmp = makeTempDir('llmfs-plan-');
afterAll(() => tmp.cleanup());

function llmfs(
  args: string[],
  budget: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LLMFS_BACKEND: 'wasm', LLMFS_HEAP_BUDGET: budget },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const tinyHf = fixturePath('gpt-tiny', 'hf');
const verdict = fixturePath('data', 'the-verdict.txt');

describe('memory plan in the CLI (forced small heap budget)', () => {
  it("pretrain streams and reproduces the book's six AdamW losses (1e-3)", async () => {
    const log = path.join(tmp.dir, 'steps.jsonl');
    const r = await llmfs(
      [
        'pretrain',
        ...GPT_TINY_RUN,
        ...GPT_TINY_ADAMW,
        '--max-steps',
        '6',
        '--eval-freq',
        '0',
        '--json-log',
        log,
        '--out',
        path.join(tmp.dir, 'run'),
      ],
      '40MB', // resident needs ~90 MiB here (the logits of 64 tokens on the tape)
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /memory plan: train, streamed, \d+ of 4 segments in host memory, blocks recomputed in backward/,
    );
    expect(r.stderr).not.toMatch(/XNN/);
    const expected: number[] = gptTinyExpected().adamw_training.losses_before_each_step;
    const steps = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => 'loss' in l);
    expect(steps).toHaveLength(6);
    steps.forEach((l, i) => expect(Math.abs(l.loss - expected[i]), `step ${i}`).toBeLessThan(1e-3));
  });

  it("generate and loss stream and give the fixture's ids and cross-entropy", async () => {
    const g = gptTinyExpected().generate_greedy;
    const gen = await llmfs(
      [
        'generate',
        '--model',
        tinyHf,
        '--prompt',
        'Every effort moves you',
        '--max-new-tokens',
        '12',
        '--json',
      ],
      '20MB', // resident needs ~30 MiB (weights and XNNPACK's packed copies)
    );
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stderr).toMatch(/memory plan: infer, streamed, \d+ of 4 segments in host memory/);
    expect(JSON.parse(gen.stdout).ids).toEqual(g.output_ids.slice(g.prompt_ids.length));
    const loss = await llmfs(
      [
        'loss',
        '--model',
        tinyHf,
        '--data',
        verdict,
        '--context-length',
        '32',
        '--batch-size',
        '2',
        '--max-batches',
        '1',
        '--json',
      ],
      '64MB', // resident needs ~75 MiB (the logits of 64 tokens)
    );
    expect(loss.code, loss.stderr).toBe(0);
    expect(loss.stderr).toMatch(/memory plan: infer, streamed/);
    expect(
      Math.abs(JSON.parse(loss.stdout).loss - gptTinyExpected().forward.cross_entropy_loss),
    ).toBeLessThan(1e-4);
  });

  it('a model no plan can fit is refused before allocating: one line, exit 1', async () => {
    const r = await llmfs(['generate', '--model', tinyHf, '--prompt', 'x', '--json'], '64KB');
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(
      /^llmfs: running this model needs ~[\d.]+ MiB of wasm memory even streamed; this backend holds 0\.1 MiB/,
    );
    expect(r.stderr).not.toMatch(/ at /); // no stack trace
  });
});
