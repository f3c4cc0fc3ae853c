// Bench: optimizer-step time of chapter 6's classifier (book freezing: last block + final_norm + head)
// against its peers, training everything and LoRA rank 16 (appendix E), on a GPT-2-shaped model.
// Usage: npm run bench [-- --layers 4 --emb 256 --batch 8 --seq 120 --steps 5 --book-only]
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel } from '@llmfs/gpt-model';
import { AdamW, trainStep } from '@llmfs/trainer';
import {
  addClassificationHead,
  calcLossBatch,
  freezeForClassification,
  replaceLinearWithLora,
} from '../src/index.js';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : d;
};
const layers = arg('layers', 4);
const emb = arg('emb', 256);
const batch = arg('batch', 8);
const seq = arg('seq', 120);
const steps = arg('steps', 5);
const only = process.argv.includes('--book-only');

await initBackend(undefined, { log: (l) => console.log(l) });
const cfg = {
  vocabSize: 50257,
  contextLength: 1024,
  embDim: emb,
  nHeads: Math.max(1, emb / 64),
  nLayers: layers,
  dropRate: 0,
  qkvBias: true,
};
const inputs = Int32Array.from({ length: batch * seq }, (_, i) => (i * 7919) % 50257);
const labels = Int32Array.from({ length: batch }, (_, i) => i % 2);
const b = { inputs, labels, batchSize: batch, seqLen: seq };

async function time(label: string, setup: (m: GPTModel) => void): Promise<number> {
  const model = addClassificationHead(new GPTModel(cfg), 2);
  setup(model);
  const opt = new AdamW(model.trainableParameters(), { lr: 5e-5, weightDecay: 0.1 });
  const step = () => trainStep(b, model, opt, { lossBatch: (x) => calcLossBatch(x, model) });
  await step(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await step();
  const ms = (performance.now() - t0) / steps;
  console.log(
    `${label.padEnd(34)} ${ms.toFixed(1).padStart(8)} ms/step  trainable ${model.numParameters({ trainableOnly: true }).toLocaleString('en-US')}`,
  );
  model.dispose();
  opt.dispose();
  return ms;
}

console.log(
  `classifier step, ${layers} layers x ${emb} wide, batch ${batch} x ${seq} tokens, backend ${tf.getBackend()}`,
);
const book = await time('book freezing (last block+norm+head)', (m) => freezeForClassification(m));
if (only) process.exit(0);
const all = await time('train everything', (m) => freezeForClassification(m, { trainAll: true }));
const lora = await time('LoRA rank 16 (appendix E)', (m) => replaceLinearWithLora(m, 16, 16));
console.log(
  `ratios vs train everything: book freezing ${(book / all).toFixed(2)}x, LoRA ${(lora / all).toFixed(2)}x the step time`,
);
