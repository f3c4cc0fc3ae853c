// The README's example runs as printed (on wasm, through LLMFS_BACKEND): the logits' shape, and greedy
// generation that returns the prompt followed by five new ids.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeSnippet } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('the example runs: logits [1, 4, 50257], then 4 + 5 ids', async () => {
    const { exports, logs } = await runReadmeSnippet(path.join(here, '..', 'README.md'), 0, here, {
      env: { LLMFS_BACKEND: 'wasm' },
      append: 'export { ids };',
    });
    expect(logs).toEqual([[[1, 4, 50257]]]);
    const ids = exports.ids as number[][];
    expect(ids[0].slice(0, 4)).toEqual([6109, 3626, 6100, 345]);
    expect(ids[0]).toHaveLength(9);
  });
});
