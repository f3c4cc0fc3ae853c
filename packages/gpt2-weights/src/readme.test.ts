// The README's example runs offline: 'gpt2' (a 548 MB download) becomes the gpt-tiny fixture directory,
// and './my-gpt2' a temporary folder; everything else runs as printed.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath, makeTempDir, runReadmeSnippet } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';
import { loadModelDirectory } from './load-model-directory.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('README', () => {
  it('the example loads a model directory, generates from the prompt and saves a directory that loads', async () => {
    const { dir, cleanup } = makeTempDir('llmfs-readme-');
    try {
      const out = path.join(dir, 'my-gpt2');
      const { logs } = await runReadmeSnippet(path.join(here, '..', 'README.md'), 0, here, {
        env: { LLMFS_BACKEND: 'wasm' },
        replace: [
          ["resolveModel('gpt2')", `resolveModel(${JSON.stringify(fixturePath('gpt-tiny', 'hf'))})`],
          ["'./my-gpt2'", JSON.stringify(out)],
        ],
      });
      expect(logs).toHaveLength(1);
      expect(String(logs[0][0]).startsWith('Every effort moves you')).toBe(true);
      expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors']);
      const { model, cfg } = await loadModelDirectory(out);
      expect(cfg.nLayers).toBe(2);
      model.dispose();
    } finally {
      cleanup();
    }
  });
});
