// `npm run quickstart`: pretrains a small GPT on the bundled the-verdict.txt in a few minutes on a
// laptop-class CPU (wasm backend), printing greedy samples of "Every effort moves you" as they improve,
// and leaves the model directory and the loss plot in ./runs/quickstart.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GPTConfig } from '@llmfs/gpt-model';
import { PRETRAIN_DEFAULTS, runPretrain } from './commands/pretrain.js';

/** The quickstart model: GPT-2's vocabulary and layout, scaled down (about 7.3M parameters, most in the embeddings). */
export const QUICKSTART_CONFIG: GPTConfig = {
  vocabSize: 50257,
  contextLength: 64,
  embDim: 128,
  nHeads: 4,
  nLayers: 4,
  dropRate: 0.1,
  qkvBias: false,
};

const here = path.dirname(fileURLToPath(import.meta.url));
const data = path.resolve(here, '../data/the-verdict.txt');
const out = process.env.LLMFS_QUICKSTART_OUT ?? path.join('runs', 'quickstart');
const epochs = Number(process.env.LLMFS_QUICKSTART_EPOCHS ?? 10);

const fmt = (ms: number) =>
  `${Math.floor(ms / 60000)}m${String(Math.round((ms % 60000) / 1000)).padStart(2, '0')}s`;
const t0 = Date.now();
console.log('llmfs quickstart: pretraining a small GPT on the-verdict.txt (book chapter 5)');
const summary = await runPretrain(
  {
    ...PRETRAIN_DEFAULTS,
    data,
    modelConfig: QUICKSTART_CONFIG,
    batchSize: 4,
    epochs,
    lr: 2e-3,
    warmupSteps: 20,
    minLr: 1e-4,
    gradClip: 1,
    evalIter: 2,
    evalFreq: 18,
    out,
    overwrite: true, // a second quickstart replaces the first
    sampleTokens: 25,
  },
  {
    quiet: true,
    onTrainer: (trainer, info) => {
      console.log(
        `model: ${info.cfg.nLayers} layers, ${info.cfg.embDim}-dim, context ${info.cfg.contextLength}; ` +
          `${info.trainBatches} batches per epoch, ${epochs} epochs`,
      );
      let val = NaN;
      let sum = 0;
      let n = 0;
      trainer.on('eval', (e) => (val = e.valLoss));
      trainer.on('step', (e) => {
        if (e.step === 0) console.log(`first step: loss ${e.loss.toFixed(2)} (${Math.round(e.stepMs)} ms)`);
        sum += e.loss;
        n++;
      });
      trainer.on('sample', (s) => {
        // training loss: mean over this epoch's steps; validation loss: the latest evaluation
        console.log(
          `\nepoch ${String(s.epoch).padStart(2)}/${epochs} [${fmt(Date.now() - t0)}] train loss ${(sum / n).toFixed(2)}, val loss ${val.toFixed(2)}`,
        );
        console.log(`  ${s.text}`);
        sum = 0;
        n = 0;
      });
    },
  },
);
console.log(
  `\ndone in ${fmt(Date.now() - t0)}: model directory ${summary.out}, loss plot ${summary.plot?.png ?? '(none)'}`,
);
console.log(`try: npx llmfs generate --model ${summary.out} --prompt "Every effort moves you"`);
