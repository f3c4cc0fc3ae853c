import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@llmfs/nn';
import { GPTModel, GPT_CONFIG_124M } from '@llmfs/gpt-model';
import { addClassificationHead } from './classification-head.js';
import { replaceLinearWithLora } from './replace-linear-with-lora.js';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe("LoRA on the book's GPT-2 small classifier (appendix E.5)", () => {
  it('has 2,666,528 trainable parameters with rank 16 (no weights loaded)', () => {
    // Every Linear of GPT-2 small at full size; only the token/position tables are shrunk (no Linear
    // depends on them, and the vocabulary head is replaced by the 2-class head). The book loads the
    // OpenAI weights, so qkv_bias is True.
    const model = addClassificationHead(
      new GPTModel({ ...GPT_CONFIG_124M, qkvBias: true, dropRate: 0, vocabSize: 8, contextLength: 8 }),
      2,
    );
    // the book: "Total trainable parameters before: 124,441,346" (with its full embeddings)
    const shrunk = 8 * 768 + 8 * 768;
    const full = 50257 * 768 + 1024 * 768;
    expect(model.numParameters({ trainableOnly: true }) - shrunk + full).toBe(124_441_346);
    replaceLinearWithLora(model, 16, 16);
    expect(model.numParameters({ trainableOnly: true })).toBe(2_666_528);
    model.dispose();
  });
});
