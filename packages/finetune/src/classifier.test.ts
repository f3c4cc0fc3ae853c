import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel } from '@llmfs/gpt-model';
import { AdamW, batchGrads, trainStep } from '@llmfs/trainer';
import { assertNoTensorLeak, maxAbsDiff } from '@llmfs/testing';
import { addClassificationHead, freezeForClassification } from './classification-head.js';
import { calcAccuracyLoader, calcLossBatch, calcLossLoader, lastTokenLogits } from './classifier-loss.js';
import { classifyReview } from './classify-review.js';
import { randomSplit } from './spam-data.js';
import { SpamDataset, createSpamDataLoader } from './spam-dataset.js';
import { trainClassifierSimple } from './train-classifier-simple.js';
import { TINY, separableSpam } from './spam-fixture.fixture.js';
import { makeTestTokenizer } from './test-tokenizer.fixture.js';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

describe('classification finetuning (chapter 6)', () => {
  it('replaces the head and freezes all but the last block, final_norm and the head', () => {
    const model = addClassificationHead(new GPTModel(TINY), 2);
    expect(model.out_head.weight.shape).toEqual([32, 2]);
    expect(model.out_head.bias?.shape).toEqual([2]);
    freezeForClassification(model);
    const trainable = model.trainableParameters().map(([n]) => n);
    expect(
      trainable.every(
        (n) => n.startsWith('trf_blocks.1.') || n.startsWith('final_norm.') || n.startsWith('out_head.'),
      ),
    ).toBe(true);
    expect(trainable).toContain('trf_blocks.1.att.W_query.weight');
    expect(trainable).toContain('final_norm.scale');
    expect(trainable).toContain('out_head.bias');
    expect(trainable).not.toContain('trf_blocks.0.att.W_query.weight');
    // last block 12,704 (W_query, W_key, W_value 3,168, out_proj 1,056, ff 8,352, norms 128) + final_norm 64 + head 66
    expect(model.numParameters({ trainableOnly: true })).toBe(12704 + 64 + 66);
    freezeForClassification(model, { trainableBlocks: 0, trainFinalNorm: false });
    expect(model.numParameters({ trainableOnly: true })).toBe(66);
    model.dispose();
  });

  it('computes the last-token logits exactly as GPTModel.forward does (vocabulary head)', () => {
    const model = new GPTModel(TINY, { seed: 11 });
    model.eval();
    const ids = Int32Array.from([464, 3290, 318, 257, 11, 50256, 13, 198, 1, 2, 3, 4]);
    const ours = lastTokenLogits(model, ids, 2, 6);
    const full = tf.tidy(() =>
      tf.reshape(
        tf.slice(model.forward(tf.tensor2d(ids, [2, 6], 'int32')), [0, 5, 0], [2, 1, 50257]),
        [2, 50257],
      ),
    );
    expect(ours.shape).toEqual([2, 50257]);
    expect(maxAbsDiff(ours.dataSync(), full.dataSync())).toBeLessThan(1e-4);
    tf.dispose([ours, full]);
    model.dispose();
  });

  it("the frozen prefix runs off the gradient tape with the full tape's loss and gradients", async () => {
    const tok = makeTestTokenizer();
    const ds = new SpamDataset(separableSpam(8), tok);
    const [batch] = createSpamDataLoader(ds, { batchSize: 4 });
    const model = freezeForClassification(addClassificationHead(new GPTModel(TINY, { seed: 5 }), 2));
    const vars = model.trainableParameters();
    const lossBatch = (b: typeof batch) => calcLossBatch(b, model);
    // frozen: the embeddings and block 0 run off the tape (GPTModel.forward decides it)
    const frozen = await batchGrads(batch, model, vars, { lossBatch });
    // everything trainable: the whole forward is taped; the same variables are asked for
    freezeForClassification(model, { trainAll: true });
    const taped = await batchGrads(batch, model, vars, { lossBatch });
    expect(Math.abs(frozen.loss - taped.loss)).toBeLessThan(1e-6);
    expect([...frozen.grads.keys()]).toEqual(vars.map(([n]) => n));
    for (const [n, g] of frozen.grads)
      expect(maxAbsDiff(g.dataSync(), taped.grads.get(n)!.dataSync()), n).toBeLessThan(1e-6);
    tf.dispose([...frozen.grads.values(), ...taped.grads.values()]);
    model.dispose();
  });

  it('learns a separable spam fixture: loss falls, accuracy well above chance, no tensor leak', async () => {
    const tok = makeTestTokenizer();
    const rows = separableSpam(160);
    const { train, val, test } = randomSplit(rows, 0.7, 0.1, 123);
    const trainDs = new SpamDataset(train, tok);
    const trainLoader = createSpamDataLoader(trainDs, { batchSize: 8, shuffle: true, dropLast: true });
    const valLoader = createSpamDataLoader(new SpamDataset(val, tok, { maxLength: trainDs.maxLength }), {
      batchSize: 8,
    });
    const testLoader = createSpamDataLoader(new SpamDataset(test, tok, { maxLength: trainDs.maxLength }), {
      batchSize: 8,
    });
    const model = freezeForClassification(addClassificationHead(new GPTModel(TINY, { seed: 7 }), 2));
    const optimizer = new AdamW(model.trainableParameters(), { lr: 2e-3, weightDecay: 0.1 });
    const before = await calcLossLoader(trainLoader, model);
    const [first] = trainLoader;
    await assertNoTensorLeak(tf, 2, () => tf.dispose(calcLossBatch(first, model)));
    await assertNoTensorLeak(tf, 2, () =>
      trainStep(first, model, optimizer, { lossBatch: (b) => calcLossBatch(b, model) }),
    );
    const epochs: number[] = [];
    const res = await trainClassifierSimple(model, trainLoader, valLoader, optimizer, {
      numEpochs: 8,
      evalFreq: 10,
      evalIter: 5,
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]); // the book's 1-based epochs
    expect(res.steps).toBe(8 * trainLoader.length);
    expect(res.examplesSeen).toBe(8 * 8 * trainLoader.length);
    const after = await calcLossLoader(trainLoader, model);
    expect(after).toBeLessThan(before * 0.5);
    const testAcc = await calcAccuracyLoader(testLoader, model);
    expect(testAcc).toBeGreaterThanOrEqual(0.8);
    const spam = classifyReview('win free cash now claim prize', model, tok, {
      maxLength: trainDs.maxLength,
      classes: ['not spam', 'spam'],
    });
    expect(spam.name).toBe('spam');
    expect(spam.probability).toBeGreaterThan(0.5);
    expect(spam.probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 5);
    const ham = classifyReview('see you at home tonight love mum', model, tok, {
      maxLength: trainDs.maxLength,
    });
    expect(ham.label).toBe(0);
    model.dispose();
    optimizer.dispose();
  });
});
