// Chapter 6's calc_loss_batch, calc_loss_loader and calc_accuracy_loader by their book names, used as
// the book uses them (a labelled loader, num_batches), against the numbers worked out here by hand from
// the full forward pass: the book's model(input_batch)[:, -1, :], a log-softmax and an argmax.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@llmfs/nn';
import { GPTModel } from '@llmfs/gpt-model';
import { addClassificationHead, freezeForClassification } from './classification-head.js';
import {
  calcAccuracyLoader,
  calcLossBatch,
  calcLossLoader,
  createSpamDataLoader,
  SpamDataset,
  type LabelBatch,
} from './index.js';
import { TINY, separableSpam } from './spam-fixture.fixture.js';
import { makeTestTokenizer } from './test-tokenizer.fixture.js';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

/** Last-position class logits of each row from the whole [B, T, classes] output. */
function lastRows(model: GPTModel, b: LabelBatch): number[][] {
  const all = tf.tidy(() => model.forward(tf.tensor2d(b.inputs, [b.batchSize, b.seqLen], 'int32')));
  const [, t, c] = all.shape;
  const d = all.dataSync();
  all.dispose();
  return Array.from({ length: b.batchSize }, (_, r) =>
    Array.from(d.subarray((r * t + t - 1) * c, (r * t + t) * c)),
  );
}

/** Mean cross-entropy by hand, in float64. */
function handLoss(rows: number[][], labels: Int32Array): number {
  let sum = 0;
  rows.forEach((z, r) => {
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0));
    sum += lse - z[labels[r]];
  });
  return sum / rows.length;
}

describe("chapter 6's loss and accuracy by the book's names", () => {
  it('calcLossBatch, calcLossLoader(num_batches) and calcAccuracyLoader(num_batches) match the hand numbers', async () => {
    const tok = makeTestTokenizer();
    const ds = new SpamDataset(separableSpam(24), tok);
    const loader = createSpamDataLoader(ds, { batchSize: 4 });
    const model = freezeForClassification(addClassificationHead(new GPTModel(TINY, { seed: 3 }), 2));
    model.eval();
    const batches = [...loader];
    const hand = batches.map((b) => handLoss(lastRows(model, b), b.labels));

    const loss = calcLossBatch(batches[0], model);
    expect(loss.shape).toEqual([]);
    expect(Math.abs(loss.dataSync()[0] - hand[0])).toBeLessThan(1e-5);
    loss.dispose();

    // the book: calc_loss_loader(train_loader, model, device, num_batches=5)
    const two = await calcLossLoader(loader, model, 2);
    expect(Math.abs(two - (hand[0] + hand[1]) / 2)).toBeLessThan(1e-5);
    const all = await calcLossLoader(loader, model);
    expect(Math.abs(all - hand.reduce((a, x) => a + x) / hand.length)).toBeLessThan(1e-5);

    // the book: calc_accuracy_loader(train_loader, model, device, num_batches=10)
    let correct = 0;
    for (const b of batches.slice(0, 3))
      lastRows(model, b).forEach((z, r) => (correct += z.indexOf(Math.max(...z)) === b.labels[r] ? 1 : 0));
    expect(await calcAccuracyLoader(loader, model, 3)).toBe(correct / 12);
    model.dispose();
  });
});
