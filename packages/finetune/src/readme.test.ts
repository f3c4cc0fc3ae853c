// The README's examples. The first two (spam classification, instruction finetuning) need the network
// (the UCI spam data, GPT-2 124M and 355M weights, an ollama judge) and hours on two cores: they are not
// run here; their steps are covered by classifier.test.ts and instruction-finetune.test.ts on fixtures.
// The LoRA example runs as printed on a small GPT (its `model` is the reader's; its 2,666,528 trainable
// parameters for GPT-2 small are checked by lora-count.test.ts), with 'adapters' in a temporary folder.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, readmeTsBlocks, runReadmeSnippet } from '@llmfs/testing';
import { describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const readme = path.join(here, '..', 'README.md');

describe('README', () => {
  it('has the three examples this test knows about', () => {
    expect(readmeTsBlocks(readme)).toHaveLength(3);
  });

  it('the LoRA example wraps, saves adapters and merges back to plain Linears', async () => {
    const { dir, cleanup } = makeTempDir('llmfs-readme-lora-');
    try {
      const first = readmeTsBlocks(readme)[2].split('\n')[0]; // its import line
      const { exports } = await runReadmeSnippet(readme, 2, here, {
        env: { LLMFS_BACKEND: 'wasm' },
        replace: [
          [
            first,
            `${first}\nimport { initBackend } from '@llmfs/nn';\nimport { GPTModel } from '@llmfs/gpt-model';\n` +
              'await initBackend();\n' +
              'const model = new GPTModel({ vocabSize: 50257, contextLength: 32, embDim: 32, nHeads: 4, nLayers: 2, dropRate: 0, qkvBias: true });\n' +
              'const trainable = () => model.numParameters({ trainableOnly: true });\n' +
              'const counts: number[] = [trainable()];',
          ],
          [
            'replaceLinearWithLora(model, 16, 16);',
            'replaceLinearWithLora(model, 16, 16); counts.push(trainable());',
          ],
          ["'adapters'", JSON.stringify(path.join(dir, 'adapters'))],
        ],
        append: 'export { model, counts };',
      });
      const [before, withLora] = exports.counts as number[];
      expect(before).toBeGreaterThan(withLora);
      expect(withLora).toBeGreaterThan(0);
      expect(fs.readdirSync(path.join(dir, 'adapters')).sort()).toEqual([
        'adapter_config.json',
        'adapter_model.safetensors',
      ]);
      const model = exports.model as { dispose(): void; namedParameters(): Array<[string, unknown]> };
      expect(model.namedParameters().some(([n]) => /lora/i.test(n))).toBe(false); // merged: plain Linears
      model.dispose();
    } finally {
      cleanup();
    }
  });
});
