// The README's example runs as printed (on wasm, through LLMFS_BACKEND) and logs what it promises.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runReadmeSnippet } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('the example runs: Linear on [4, 5, 3] gives [4, 5, 2] and the state dict names', async () => {
    const { logs } = await runReadmeSnippet(path.join(here, '..', 'README.md'), 0, here, {
      env: { LLMFS_BACKEND: 'wasm' },
    });
    expect(logs).toEqual([
      [
        [4, 5, 2],
        ['weight', 'bias'],
      ],
    ]);
  });
});
