// The README's example runs as printed (on wasm, through LLMFS_BACKEND) and logs the shapes it promises.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeSnippet } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('the example runs: output and attention-weight shapes, then a 6-position cache', async () => {
    const { exports, logs } = await runReadmeSnippet(path.join(here, '..', 'README.md'), 0, here, {
      env: { LLMFS_BACKEND: 'wasm' },
      append: 'export { cache };',
    });
    expect(logs).toEqual([
      [
        [2, 6, 2],
        [2, 2, 6, 6],
      ],
    ]);
    expect((exports.cache as { length: number }).length).toBe(6);
  });
});
