// `llmfs` on the webgpu backend (Dawn in Node; Mesa's OpenGL ES driver where there is no GPU), as a user
// runs it: gpt-tiny generation gives the book's greedy ids, pretraining the fixture's six AdamW losses
// within 1e-3, and Ctrl-C + --resume ends where an uninterrupted run ends. Skipped, with one line, where
// webgpu cannot start (no `webgpu` package, no adapter); never skipped under CI.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backendSkipReason, fixturePath, gptTinyExpected, makeTempDir } from '@llmfs/testing';
import { initBackend } from '@llmfs/nn';
import { GPT_TINY_RUN } from '../../test/fixtures.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');
const tmp = makeTempDir('llmfs-webgpu-');
afterAll(() => tmp.cleanup());
const reason = await backendSkipReason((b) => initBackend(b, { log: () => {} }), 'webgpu');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `llmfs ...args` on webgpu; with `stop`, sends SIGINT once the JSON log has that many steps. */
function llmfs(
  args: string[],
  stop?: { file: string; afterSteps: number },
  env: Record<string, string> = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LLMFS_BACKEND: 'webgpu', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = stop
      ? setInterval(() => {
          const n = fs.existsSync(stop.file)
            ? fs
                .readFileSync(stop.file, 'utf8')
                .split('\n')
                .filter((l) => l.includes('"loss"')).length
            : 0;
          if (n >= stop.afterSteps) {
            clearInterval(timer);
            p.kill('SIGINT');
          }
        }, 20)
      : undefined;
    p.on('close', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const FIXTURE_FLAGS = GPT_TINY_RUN;

function losses(file: string): Array<Record<string, number>> {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
}

/** All float32 values of a safetensors file (same layout in both files compared). */
function weights(file: string): Float32Array {
  const buf = fs.readFileSync(file);
  const headerLen = Number(buf.readBigUInt64LE(0));
  const body = buf.subarray(8 + headerLen);
  return new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.length));
}

describe.skipIf(!!reason)('llmfs on webgpu', () => {
  const expected = gptTinyExpected();

  it("generate --json on gpt-tiny prints the book's greedy ids and names the adapter", async () => {
    const g = expected.generate_greedy;
    const r = await llmfs([
      'generate',
      '--model',
      fixturePath('gpt-tiny', 'hf'),
      '--prompt',
      'Every effort moves you',
      '--max-new-tokens',
      String(g.max_new_tokens),
      '--temperature',
      '0',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/llmfs: using the webgpu backend \(.+\)/);
    expect(JSON.parse(r.stdout).ids).toEqual(g.output_ids.slice(g.prompt_ids.length));
  });

  // 4 MiB is under gpt-tiny's token embedding and head (6.4 MB each) and its logits (2 x 32 rows, 12.9 MB):
  // both train in vocabulary shards, the head and the loss in row chunks
  it.each([
    ['the adapter limit', {}],
    ['a 4 MiB binding limit', { LLMFS_WEBGPU_MAX_BINDING: String(4 * 2 ** 20) }],
  ])('pretrain reproduces the six AdamW losses within 1e-3 (%s)', async (label, env) => {
    const log = path.join(tmp.dir, `acc1-${label.length}.jsonl`);
    const r = await llmfs(
      [
        'pretrain',
        ...FIXTURE_FLAGS,
        '--no-shuffle',
        '--lr',
        '1e-3',
        '--weight-decay',
        '0.1',
        '--drop-rate',
        '0',
        '--max-steps',
        '6',
        '--eval-freq',
        '100',
        '--json-log',
        log,
        '--out',
        path.join(tmp.dir, `acc1-${label.length}`),
      ],
      undefined,
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const got = losses(log)
      .filter((l) => 'loss' in l)
      .map((l) => l.loss);
    const want: number[] = expected.adamw_training.losses_before_each_step;
    const gap = Math.max(...got.map((l, i) => Math.abs(l - want[i])));
    console.log(`[webgpu, ${label}] six AdamW losses: max |diff| ${gap.toExponential(2)}`);
    expect(got).toHaveLength(6);
    expect(gap).toBeLessThan(1e-3);
  });

  // Not bit for bit, unlike wasm: tfjs's webgpu kernels add with atomics in some matmuls (split K) and in
  // scatterND (the embedding's gradient), so two uninterrupted runs already differ in the last bits.
  it('Ctrl-C then --resume ends where an uninterrupted run ends (losses 1e-5, weights 1e-4; dropout, clipping)', async () => {
    const flags = [
      ...FIXTURE_FLAGS,
      '--lr',
      '1e-3',
      '--drop-rate',
      '0.1',
      '--max-steps',
      '4',
      '--grad-clip',
      '1',
      '--eval-freq',
      '100',
    ];
    const fullOut = path.join(tmp.dir, 'full');
    const fullLog = path.join(tmp.dir, 'full.jsonl');
    const a = await llmfs(['pretrain', ...flags, '--out', fullOut, '--json-log', fullLog]);
    expect(a.code, a.stderr).toBe(0);
    const partOut = path.join(tmp.dir, 'part');
    const partLog = path.join(tmp.dir, 'part.jsonl');
    const b = await llmfs(['pretrain', ...flags, '--out', partOut, '--json-log', partLog], {
      file: partLog,
      afterSteps: 2,
    });
    expect(b.code, b.stderr).toBe(130);
    const c = await llmfs(['pretrain', '--resume', partOut]);
    expect(c.code, c.stderr).toBe(0);
    const [part, full] = [losses(partLog), losses(fullLog)];
    expect(part.map((l) => Object.keys(l))).toEqual(full.map((l) => Object.keys(l)));
    let gap = 0;
    part.forEach((l, i) => {
      for (const k of ['step', 'tokensSeen', 'epoch', 'lr'] as const) expect(l[k]).toBe(full[i][k]);
      for (const k of ['loss', 'trainLoss', 'valLoss'] as const)
        if (k in l) gap = Math.max(gap, Math.abs(l[k] - full[i][k]));
    });
    const [wa, wb] = [partOut, fullOut].map((d) => weights(path.join(d, 'model.safetensors')));
    let wgap = 0;
    for (let i = 0; i < wa.length; i++) wgap = Math.max(wgap, Math.abs(wa[i] - wb[i]));
    console.log(
      `[webgpu] resume vs uninterrupted: losses ${gap.toExponential(2)}, weights ${wgap.toExponential(2)}`,
    );
    expect(wa.length).toBe(wb.length);
    expect(gap).toBeLessThan(1e-5);
    // AdamW's m / sqrt(v) turns last-bit differences of near-zero gradients into up to ~lr-sized steps
    expect(wgap).toBeLessThan(1e-4);
  });
});
