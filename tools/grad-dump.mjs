#!/usr/bin/env node
// Benchmark tooling (not a test): one training pass's loss and gradients of a model directory on given
// windows of a token file, written for tools/pytorch/grad_parity.py to compare with PyTorch's at the
// same weights. Dropout off, nn's memory plan as training uses it (batchGrads), so the check covers the
// path a real step takes at a real size (GPT-2 124M: resident; larger: streamed).
// Uses the built packages (`npm run build`), as bench:pytorch does.
//   node tools/grad-dump.mjs MODEL_DIR TOKENS.bin OUT_PREFIX [CONTEXT=256] [STARTS=0,256]
// Writes OUT_PREFIX.json ({loss, tensors: [{name, shape}]}) and OUT_PREFIX.bin (float32, in that order).
import fs from 'node:fs';
import { initBackend, planTraining } from '@llmfs/nn';
import { loadModelDirectory } from '@llmfs/gpt2-weights';
import { applyMemoryPlan, modelMemoryProfile } from '@llmfs/gpt-model';
import { batchGrads } from '@llmfs/trainer';

const [dir, tokensFile, out, contextArg, startsArg] = process.argv.slice(2);
if (!dir || !tokensFile || !out) {
  console.error('usage: grad-dump.mjs MODEL_DIR TOKENS.bin OUT_PREFIX [CONTEXT=256] [STARTS=0,256]');
  process.exit(2);
}
const T = Number(contextArg ?? 256);
const starts = (startsArg ?? `0,${T}`).split(',').map(Number);
const bytes = fs.readFileSync(tokensFile);
const tokens = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
const last = Math.max(...starts) + T + 1;
if (last > tokens.length) {
  console.error(`${tokensFile}: ${tokens.length} tokens, the windows need ${last}`);
  process.exit(2);
}

await initBackend(process.env.LLMFS_BACKEND ?? 'wasm', { log: () => {} });
const { model } = await loadModelDirectory(dir, { cfgOverrides: { dropRate: 0 } });
model.train();
const plan = planTraining(modelMemoryProfile(model, { seqLen: T }), { batchSize: starts.length });
applyMemoryPlan(model, plan);
const inputs = new Int32Array(starts.length * T);
const targets = new Int32Array(starts.length * T);
starts.forEach((s, r) => {
  for (let i = 0; i < T; i++) {
    inputs[r * T + i] = tokens[s + i];
    targets[r * T + i] = tokens[s + i + 1];
  }
});
const batch = { inputs, targets, batchSize: starts.length, seqLen: T };
const { loss, grads } = await batchGrads(batch, model, model.trainableParameters(), { plan });
const index = [];
const fd = fs.openSync(`${out}.bin`, 'w');
for (const [name, g] of grads) {
  const data = await g.data();
  fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  index.push({ name, shape: g.shape });
  g.dispose();
}
fs.closeSync(fd);
fs.writeFileSync(`${out}.json`, JSON.stringify({ loss, plan: plan.summary, tensors: index }));
model.dispose();
