// The README's chapter 5 example runs, shrunk: the book's 124M model for 10 epochs takes hours on two
// cores, so the test runs a 2-layer, 32-dim model on batches of 8 windows of 32 tokens for one epoch.
// `text` (left to the reader in the README) is the-verdict.txt. Everything else runs as printed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeSnippet } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('the example trains: losses logged at each evaluation, training loss going down', async () => {
    const { exports } = await runReadmeSnippet(path.join(here, '..', 'README.md'), 0, here, {
      env: { LLMFS_BACKEND: 'wasm' },
      replace: [
        [
          'await initBackend();',
          "await initBackend();\nconst text = (await import('@llmfs/testing')).theVerdict();",
        ],
        ['batchSize: 2, maxLength: 256, stride: 256', 'batchSize: 8, maxLength: 32, stride: 32'],
        [
          '{ ...GPT_CONFIG_124M, contextLength: 256 }',
          '{ ...GPT_CONFIG_124M, contextLength: 32, embDim: 32, nHeads: 4, nLayers: 2 }',
        ],
        ['optimizer, 10, 5, 5,', 'optimizer, 1, 5, 1,'],
      ],
      append: 'export { trainLosses, valLosses, tokensSeen };',
    });
    const train = exports.trainLosses as number[];
    const val = exports.valLosses as number[];
    const seen = exports.tokensSeen as number[];
    expect(train.length).toBeGreaterThan(3);
    expect(val).toHaveLength(train.length);
    expect(seen).toHaveLength(train.length);
    expect([...train, ...val].every(Number.isFinite)).toBe(true);
    expect(train[train.length - 1]).toBeLessThan(train[0]);
    expect(seen[1] - seen[0]).toBe(5 * 8 * 32); // evalFreq steps of 8 x 32 tokens
  });
});
