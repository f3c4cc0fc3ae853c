// Issue 16, rows 1-5: sizes the memory plan checks before anything is allocated. A model that fits
// trains (row 1, a 4096-token context on a tiny model, streamed); one the host or the backend cannot hold
// is one line and exit 1 within seconds, before the backend's memory is touched: no "memory access out
// of bounds", abort, typed-array or XNNPACK text, and no silent spinning (each child has a kill timeout).
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '@llmfs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLineOf, llmfsChild, type CliRun } from './in-process.js';
import { VERDICT } from './fixtures.js';

const tmp = makeTempDir('llmfs-size-checks-');
afterAll(tmp.cleanup);

/** A GPTConfig JSON file: GPT-2's vocabulary and context 256 with the given width, heads and layers. */
function config(name: string, embDim: number, nHeads: number, nLayers: number): string {
  const file = path.join(tmp.dir, `${name}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify({
      vocabSize: 50257,
      contextLength: 256,
      embDim,
      nHeads,
      nLayers,
      dropRate: 0,
      qkvBias: false,
    }),
  );
  return file;
}

/** the-verdict four times over (~20,000 tokens): enough for two windows of 8,192 tokens. */
function longText(): string {
  const file = path.join(tmp.dir, 'long.txt');
  fs.writeFileSync(file, fs.readFileSync(VERDICT, 'utf8').repeat(4));
  return file;
}

const run = (args: string[], out: string) =>
  llmfsChild(
    [
      'pretrain',
      '--data',
      VERDICT,
      '--max-steps',
      '1',
      '--eval-freq',
      '0',
      ...args,
      '--out',
      path.join(tmp.dir, out),
    ],
    {
      timeoutMs: 90_000,
    },
  ).done;

const RAW =
  /memory access out of bounds|Aborted\(|Invalid typed array length|XNN|worker sent an error|\n\s+at /;

function expectRefused(r: CliRun & { signal: NodeJS.Signals | null }, message: RegExp): void {
  expect(r.signal, 'killed by the timeout: the run spun').toBeNull();
  expect(r.code, r.stderr).toBe(1);
  expect(errorLineOf(r)).toMatch(message);
  expect(r.stderr).not.toMatch(RAW);
}

describe('rows 1-5: sizes are checked before allocating', () => {
  it('row 1: a tiny model at --context-length 4096 --batch-size 1 trains (streamed plan)', async () => {
    const r = await run(
      [
        '--config',
        config('tiny', 32, 2, 1),
        '--context-length',
        '4096',
        '--batch-size',
        '1',
        '--val-ratio',
        '0',
      ],
      'row1',
    );
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/memory plan: train, (resident|streamed)/);
    expect(r.stderr).not.toMatch(RAW);
    expect(fs.existsSync(path.join(tmp.dir, 'row1', 'model.safetensors'))).toBe(true);
  }, 120_000);

  it('rows 2-5: models the host cannot hold, and a context no plan fits, are one line each', async () => {
    const [e4096, layers, wide, e8192, ctx] = await Promise.all([
      run(['--config', config('e4096', 4096, 32, 12)], 'row2'),
      run(['--config', config('layers', 32, 2, 1_000_000)], 'row3'),
      run(['--config', config('wide', 100_000, 2, 1)], 'row4'),
      run(['--config', config('e8192', 8192, 32, 12)], 'row5'),
      run(['--context-length', '8192', '--val-ratio', '0', '--data', longText()], 'row5ctx'),
    ]);
    const host =
      /^llmfs: training this model needs ~[\d.]+ GiB of host memory \([\d.]+ GiB of parameters, their gradients and AdamW state\); this machine has [\d.]+ GiB: use a smaller model$/;
    for (const r of [e4096, layers, wide, e8192]) expectRefused(r, host);
    expectRefused(
      ctx,
      /^llmfs: training this model needs ~[\d.]+ GiB of \w+ memory even streamed one row per pass; this backend holds [\d.]+ GiB: use a smaller --context-length or model$/,
    );
    for (const out of ['row2', 'row3', 'row4', 'row5', 'row5ctx'])
      expect(fs.existsSync(path.join(tmp.dir, out, 'model.safetensors'))).toBe(false);
  }, 120_000);
});
