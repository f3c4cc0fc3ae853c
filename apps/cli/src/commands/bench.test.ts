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
