// `llmfs pretrain` as a user runs it: a child process of the CLI (sources through tsx, so no build is
// needed). Acceptance 1 (gpt-tiny AdamW losses), exit 130 on Ctrl-C + exact --resume, and the written
// directories being Hugging Face GPT-2 directories that load back bit-identically.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath, gptTinyExpected, makeTempDir } from '@llmfs/testing';
import { loadModelDirectory, openSafetensorsFile, saveModelDirectory } from '@llmfs/gpt2-weights';
import { initBackend } from '@llmfs/nn';
import { GPT_TINY_RUN } from '../../test/fixtures.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../main.ts');
const tmp = makeTempDir('llmfs-pretrain-');
afterAll(() => tmp.cleanup());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `llmfs ...args`; `onLine` sees each stdout line of the child and may signal it. */
function llmfs(
  args: string[],
  onJsonLog?: { file: string; afterSteps: number; signal: NodeJS.Signals },
): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', MAIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LLMFS_BACKEND: 'wasm' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    if (onJsonLog) {
      timer = setInterval(() => {
        const n = fs.existsSync(onJsonLog.file)
          ? fs
              .readFileSync(onJsonLog.file, 'utf8')
              .split('\n')
              .filter((l) => l.includes('"loss"')).length
          : 0;
        if (n >= onJsonLog.afterSteps) {
          clearInterval(timer);
          p.kill(onJsonLog.signal);
        }
      }, 20);
    }
    p.on('close', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const verdict = fixturePath('data', 'the-verdict.txt');
const FIXTURE_FLAGS = GPT_TINY_RUN;

function readLog(file: string): Array<Record<string, number>> {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
}

describe('llmfs pretrain', () => {
  const out1 = path.join(tmp.dir, 'acc1');
  const log1 = path.join(tmp.dir, 'acc1.jsonl');

  it('acceptance 1: logs the gpt-tiny losses_before_each_step within 1e-3', async () => {
    const r = await llmfs([
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
      '--json-log',
      log1,
      '--out',
      out1,
    ]);
    expect(r.stderr).toContain('using the wasm backend');
    expect(r.code).toBe(0);
    const lines = readLog(log1);
    const steps = lines.filter((l) => 'loss' in l);
    expect(steps.map((l) => Object.keys(l))).toEqual(
      Array(6).fill(['step', 'epoch', 'tokensSeen', 'loss', 'lr', 'stepMs']),
    );
    expect(steps.map((l) => l.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps.map((l) => l.tokensSeen)).toEqual([64, 128, 192, 256, 320, 384]);
    const expected: number[] = gptTinyExpected().adamw_training.losses_before_each_step;
    steps.forEach((l, i) => expect(Math.abs(l.loss - expected[i])).toBeLessThan(1e-3));
    const evals = lines.filter((l) => 'valLoss' in l);
    expect(evals.map((l) => Object.keys(l))).toEqual([
      ['step', 'trainLoss', 'valLoss'],
      ['step', 'trainLoss', 'valLoss'],
    ]);
    expect(evals.map((l) => l.step)).toEqual([0, 5]);
    for (const f of ['config.json', 'model.safetensors', 'loss.svg', 'loss.png'])
      expect(fs.existsSync(path.join(out1, f))).toBe(true);
    expect(fs.readFileSync(path.join(out1, 'loss.svg'), 'utf8')).toContain('Tokens seen');
    expect(fs.readFileSync(path.join(out1, 'loss.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('--micro-batches 2 accumulates to the same losses (dropout 0) and must divide the batch', async () => {
    const log = path.join(tmp.dir, 'micro.jsonl');
    const r = await llmfs([
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
      '3',
      '--micro-batches',
      '2',
      '--eval-freq',
      '0',
      '--json-log',
      log,
      '--out',
      path.join(tmp.dir, 'micro'),
    ]);
    expect(r.code).toBe(0);
    const expected: number[] = gptTinyExpected().adamw_training.losses_before_each_step;
    const steps = readLog(log).filter((l) => 'loss' in l);
    expect(steps).toHaveLength(3);
    steps.forEach((l, i) => expect(Math.abs(l.loss - expected[i])).toBeLessThan(1e-3));
    const bad = await llmfs([
      'pretrain',
      ...FIXTURE_FLAGS,
      '--micro-batches',
      '3',
      '--max-steps',
      '1',
      '--out',
      path.join(tmp.dir, 'bad'),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n').pop()).toBe(
      'llmfs: --micro-batches: 3 does not divide --batch-size 2',
    );
  });

  it('acceptance 4: a checkpoint is a Hugging Face GPT-2 directory that loads back bit-identically', async () => {
    const [ck] = fs.readdirSync(path.join(out1, 'checkpoints')).filter((n) => n.startsWith('step-'));
    const dir = path.join(out1, 'checkpoints', ck);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      model_type: 'gpt2',
      vocab_size: 50257,
      n_positions: 32,
      n_embd: 32,
      n_head: 4,
      n_layer: 2,
      layer_norm_epsilon: 1e-5,
      activation_function: 'gelu_new',
      tie_word_embeddings: false,
    });
    expect(config.llmfs).toMatchObject({ qkv_bias: true, drop_rate: 0, context_length: 32 });
    const st = await openSafetensorsFile(path.join(dir, 'model.safetensors'));
    const shapes = Object.fromEntries(st.names().map((n) => [n, st.entry(n)!.shape]));
    await st.close();
    expect(shapes['transformer.wte.weight']).toEqual([50257, 32]);
    expect(shapes['transformer.wpe.weight']).toEqual([32, 32]);
    expect(shapes['transformer.h.0.attn.c_attn.weight']).toEqual([32, 96]);
    expect(shapes['transformer.h.1.mlp.c_fc.weight']).toEqual([32, 128]);
    expect(shapes['lm_head.weight']).toEqual([50257, 32]);
    // load it, write it again: the same bytes
    await initBackend('cpu', { log: () => undefined });
    const { model } = await loadModelDirectory(dir);
    const again = path.join(tmp.dir, 'again');
    fs.mkdirSync(again);
    await saveModelDirectory(again, model);
    model.dispose();
    expect(
      fs
        .readFileSync(path.join(again, 'model.safetensors'))
        .equals(fs.readFileSync(path.join(dir, 'model.safetensors'))),
    ).toBe(true);
    // the final model directory holds the same weights as the last checkpoint
    expect(
      fs
        .readFileSync(path.join(out1, 'model.safetensors'))
        .equals(fs.readFileSync(path.join(dir, 'model.safetensors'))),
    ).toBe(true);
  });

  it('Ctrl-C saves and exits 130; --resume then ends where an uninterrupted run ends (dropout on, shuffled)', async () => {
    const flags = [
      ...FIXTURE_FLAGS,
      '--lr',
      '1e-3',
      '--drop-rate',
      '0.1',
      '--max-steps',
      '8',
      '--warmup-steps',
      '2',
      '--grad-clip',
      '1',
      '--eval-freq',
      '3',
      '--eval-iter',
      '2',
    ];
    const fullOut = path.join(tmp.dir, 'full');
    const fullLog = path.join(tmp.dir, 'full.jsonl');
    const a = await llmfs(['pretrain', ...flags, '--out', fullOut, '--json-log', fullLog]);
    expect(a.code, a.stderr).toBe(0);

    const partOut = path.join(tmp.dir, 'part');
    const partLog = path.join(tmp.dir, 'part.jsonl');
    const b = await llmfs(['pretrain', ...flags, '--out', partOut, '--json-log', partLog], {
      file: partLog,
      afterSteps: 3,
      signal: 'SIGINT',
    });
    expect(b.code).toBe(130);
    expect(b.stdout).toMatch(/interrupted after step \d+; resume with/);
    const stoppedAt = readLog(partLog).filter((l) => 'loss' in l).length;
    expect(stoppedAt).toBeLessThan(8);
    const c = await llmfs(['pretrain', '--resume', partOut]);
    expect(c.code, c.stderr).toBe(0);

    const full = readLog(fullLog);
    const part = readLog(partLog);
    const strip = (xs: Array<Record<string, number>>) => xs.map(({ stepMs: _ms, ...rest }) => rest);
    expect(strip(part)).toEqual(strip(full));
    expect(
      fs
        .readFileSync(path.join(partOut, 'model.safetensors'))
        .equals(fs.readFileSync(path.join(fullOut, 'model.safetensors'))),
    ).toBe(true);
  });

  it('names the flag on a user error (exit 1, one line)', async () => {
    const r = await llmfs(['pretrain', '--data', verdict, '--batch-size', 'two']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("llmfs: --batch-size: expected an integer >= 1, got 'two'");
  });
});
