// Peak tensor bytes of one chapter 6 classifier step (book freezing: last block + final_norm + head)
// with the frozen prefix off the tape (GPTModel.forward decides it) against the whole forward taped
// (everything trainable, the same variables asked for).
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel } from '@llmfs/gpt-model';
import { batchGrads } from '@llmfs/trainer';
import { addClassificationHead, calcLossBatch, freezeForClassification } from '../src/index.js';

await initBackend('cpu', { log: () => undefined });
const cfg = {
  vocabSize: 50257,
  contextLength: 1024,
  embDim: 256,
  nHeads: 4,
  nLayers: 4,
  dropRate: 0,
  qkvBias: true,
};
const [B, T] = [8, 120];
const batch = {
  inputs: Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % 50257),
  labels: Int32Array.from({ length: B }, (_, i) => i % 2),
  batchSize: B,
  seqLen: T,
};
const model = freezeForClassification(addClassificationHead(new GPTModel(cfg), 2));
const vars = model.trainableParameters();
const peak = async () => {
  const p = await tf.profile(async () => {
    const { grads } = await batchGrads(batch, model, vars, { lossBatch: (b) => calcLossBatch(b, model) });
    tf.dispose([...grads.values()]);
  });
  return p.peakBytes - tf.memory().numBytes;
};
const frozen = await peak();
freezeForClassification(model, { trainAll: true });
const taped = await peak();
const mib = (x: number) => (x / 2 ** 20).toFixed(1);
console.log(
  `one step, ${cfg.nLayers} layers x ${cfg.embDim}, batch ${B} x ${T}: peak above the weights ${mib(frozen)} MiB with the frozen prefix off the tape, ${mib(taped)} MiB fully taped`,
);
