// `llmfs bench` end to end on a tiny config: the JSON shape and that the figures are real measurements.
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '@llmfs/testing';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/llmfs.js');

describe('llmfs bench', () => {
  test('prints generation and training figures for a tiny config as one JSON object', () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const cfgFile = path.join(dir, 'tiny.json');
      fs.writeFileSync(
        cfgFile,
        JSON.stringify({
          vocabSize: 300,
          contextLength: 16,
          embDim: 16,
          nHeads: 2,
          nLayers: 1,
          dropRate: 0,
          qkvBias: true,
        }),
      );
      const out = execFileSync(
        process.execPath,
        [
          BIN,
          'bench',
          '--config',
          cfgFile,
          '--context-length',
          '8',
          '--steps',
          '2',
          '--micro-batches',
          '2',
          '--new-tokens',
          '4',
          '--backend',
          'cpu',
          '--json',
        ],
        { encoding: 'utf8' },
      );
      const r = JSON.parse(out.trim().split('\n').pop()!);
      expect(r.backend).toBe('cpu');
      // 300*16 tok emb + 16*16 pos + block + final norm + 16*300 head
      expect(r.parameters).toBeGreaterThan(300 * 16 * 2);
      for (const k of [
        'generateTokensPerSecCached',
        'generateTokensPerSecUncached',
        'trainStepMs',
        'trainTokensPerSec',
      ]) {
        expect(Number.isFinite(r[k]) && r[k] > 0, k).toBe(true);
      }
      expect(r.train).toEqual({
        batchSize: 2,
        contextLength: 8,
        steps: 2,
        microBatches: 2,
        mode: 'resident',
      });
      expect(r.trainPlan).toMatch(/^train, resident, 2 micro-batches/);
      expect(r.peakRssMiB).toBeGreaterThan(10);
    } finally {
      cleanup();
    }
  });

  test('on wasm with a small heap budget the plan streams, and the figures and memory are reported', () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const cfgFile = path.join(dir, 'small.json');
      fs.writeFileSync(
        cfgFile,
        JSON.stringify({ vocabSize: 2000, contextLength: 32, embDim: 64, nHeads: 4, nLayers: 2 }),
      );
      const r = spawnSync(
        process.execPath,
        [BIN, 'bench', '--config', cfgFile, '--context-length', '32', '--steps', '1', '--new-tokens', '4'],
        { encoding: 'utf8', env: { ...process.env, LLMFS_HEAP_BUDGET: '3MB', LLMFS_BACKEND: 'wasm' } },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/memory plan: infer, streamed, \d+ of 4 segments in host memory/);
      expect(r.stdout).toMatch(
        /memory plan: train, streamed, 4 of 4 segments in host memory, blocks recomputed/,
      );
      expect(r.stdout).toMatch(/train step \(batch 2, context 32, AdamW\): median [\d.]+ s/);
      expect(r.stdout).toMatch(/memory: peak RSS \d+ MiB, wasm heap high-water \d+ MiB/);
      expect(r.stderr).not.toMatch(/XNN/);
    } finally {
      cleanup();
    }
  });

  test('the bench:pytorch rows: classifier step, evaluation pass, cached generation only, qkv bias off', () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const cfgFile = path.join(dir, 'tiny.json');
      const cfg = { vocabSize: 300, contextLength: 16, embDim: 16, nHeads: 2, nLayers: 2, qkvBias: true };
      fs.writeFileSync(cfgFile, JSON.stringify(cfg));
      const run = (...flags: string[]) =>
        JSON.parse(
          execFileSync(
            process.execPath,
            [
              BIN,
              'bench',
              '--config',
              cfgFile,
              '--context-length',
              '8',
              '--steps',
              '1',
              '--backend',
              'cpu',
            ].concat(flags, ['--json']),
            { encoding: 'utf8' },
          )
            .trim()
            .split('\n')
            .pop()!,
        );
      const r = run(
        '--classifier',
        '2',
        '--batch-size',
        '4',
        '--eval-batches',
        '2',
        '--new-tokens',
        '3',
        '--no-uncached',
      );
      expect(r.generateTokensPerSecCached).toBeGreaterThan(0);
      expect(r).not.toHaveProperty('generateTokensPerSecUncached');
      expect(r.evalPassMs).toBeGreaterThan(0);
      expect(r.eval).toEqual({ batches: 2, batchSize: 4, contextLength: 8 });
      expect(r.trainStepMs).toBeGreaterThan(0);
      // the book's freezing: the last block (2 LayerNorms, qkv with bias, out_proj, 2 FF layers),
      // final_norm and a 16 -> 2 head with bias
      const block = 2 * 32 + (16 * 48 + 48) + (16 * 16 + 16) + (16 * 64 + 64) + (64 * 16 + 16);
      expect(r.train).toEqual({
        batchSize: 4,
        contextLength: 8,
        steps: 1,
        classifier: 2,
        trainableParameters: block + 32 + (16 * 2 + 2),
      });
      // --qkv-bias off drops the 2 blocks' 48 q|k|v biases
      const plain = run('--no-train', '--no-generate', '--eval-batches', '1');
      const off = run('--no-train', '--no-generate', '--eval-batches', '1', '--qkv-bias', 'off');
      expect(plain.parameters - off.parameters).toBe(2 * 48);
    } finally {
      cleanup();
    }
  });

  test('a bad flag is a one-line error with exit code 1', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'bench', '--steps', 'zero', '--no-generate', '--config', 'nope'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^llmfs: /);
  });
});
