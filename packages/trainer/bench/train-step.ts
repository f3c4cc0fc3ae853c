// Benchmark (not a test): one training step of the book's chapter 5 setup (GPT-2 124M, context 256,
// batch 2) on the chosen backend: median step time, tokens/s, the split between forward+backward,
// clipping and AdamW, and a per-kernel profile of one step. Peer: the book's PyTorch code measured on
// this machine, 2.15 s per step. Env: LLMFS_BACKEND (default wasm), BENCH_STEPS (default 3),
// BENCH_CONFIG=small for a quick run, BENCH_PROFILE=0 to skip the kernel profile; LLMFS_WASM_THREADS=1
// for the single-threaded wasm build.
import * as tf from '@tensorflow/tfjs';
import { initBackend, wasmThreadsCount } from '@llmfs/nn';
import { GPTModel, GPT_CONFIG_124M, type GPTConfig } from '@llmfs/gpt-model';
import { AdamW, batchGrads, calcLossBatch, clipGradNorm } from '../src/index.js';

const PYTORCH_STEP_S = 2.15;
const backend = await initBackend(process.env.LLMFS_BACKEND ?? 'wasm');
const small = process.env.BENCH_CONFIG === 'small';
const cfg: GPTConfig = small
  ? { vocabSize: 50257, contextLength: 64, embDim: 128, nHeads: 4, nLayers: 4, dropRate: 0.1, qkvBias: false }
  : { ...GPT_CONFIG_124M, contextLength: Number(process.env.BENCH_T ?? 256) };
const B = Number(process.env.BENCH_B ?? (small ? 4 : 2));
const T = cfg.contextLength;
const steps = Number(process.env.BENCH_STEPS ?? 3);
// gradient accumulation passes per step (Trainer's microBatches): 2 for GPT-2 124M on wasm (4 GiB heap)
const micro = Number(process.env.BENCH_MICRO ?? (!small && backend === 'wasm' ? 2 : 1));

const model = new GPTModel(cfg, { seed: 123 });
const params = model.trainableParameters();
const opt = new AdamW(params, { lr: 4e-4, weightDecay: 0.1 });
const ids = Int32Array.from({ length: B * (T + 1) }, (_, i) => (i * 7919) % cfg.vocabSize);
const batch = { inputs: new Int32Array(B * T), targets: new Int32Array(B * T), batchSize: B, seqLen: T };
for (let b = 0; b < B; b++) {
  batch.inputs.set(ids.subarray(b * T, b * T + T), b * T);
  batch.targets.set(ids.subarray(b * T + 1, b * T + T + 1), b * T);
}

async function step(): Promise<{ fb: number; clip: number; adam: number; loss: number }> {
  const t0 = performance.now();
  const { loss, grads: named } = await batchGrads(batch, model, params, { microBatches: micro });
  const t1 = performance.now();
  clipGradNorm(named, 1);
  const t2 = performance.now();
  opt.step(named, { disposeGrads: true });
  tf.dispose([...named.values()]);
  params[0][1].dataSync(); // wait for the update
  const t3 = performance.now();
  return { fb: t1 - t0, clip: t2 - t1, adam: t3 - t2, loss };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `backend ${backend}${backend === 'wasm' ? ` (${wasmThreadsCount()} thread(s); LLMFS_WASM_THREADS)` : ''}; ${small ? 'quickstart config' : 'GPT-2 124M'} context ${T}, batch ${B} in ${micro} pass(es); ${model.numParameters()} parameters`,
);
await step(); // warm-up (kernel setup, optimizer moments)
console.log(`after the first step: ${(tf.memory().numBytes / 2 ** 30).toFixed(2)} GiB in tensors`);
const rows = [];
for (let i = 0; i < steps; i++) rows.push(await step());
const total = rows.map((r) => r.fb + r.clip + r.adam);
const med = median(total) / 1000;
console.log(
  `median step ${med.toFixed(2)} s (forward+backward ${(median(rows.map((r) => r.fb)) / 1000).toFixed(2)} s, ` +
    `clip ${(median(rows.map((r) => r.clip)) / 1000).toFixed(2)} s, AdamW ${(median(rows.map((r) => r.adam)) / 1000).toFixed(2)} s)`,
);
console.log(
  `tokens/s ${((B * T) / med).toFixed(0)}` +
    (small || T !== 256 || B !== 2
      ? ''
      : `; vs PyTorch ${PYTORCH_STEP_S} s/step (book code, this machine): ${(med / PYTORCH_STEP_S).toFixed(2)}x`),
);
const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 2 ** 20).toFixed(2)} GiB (PyTorch: 5.3 GB for the whole book run); ` +
    (heap !== undefined ? `wasm heap ${(heap / 2 ** 30).toFixed(2)} GiB (it only grows: its peak); ` : '') +
    `optimizer state in ${opt.hostState ? 'host memory' : 'tensors'}; tensors ${tf.memory().numTensors}`,
);

if (process.env.BENCH_PROFILE !== '0') {
  // one pass of B / micro rows (the whole batch in one pass does not fit wasm's heap at GPT-2 size)
  const rows = B / micro;
  const part = {
    ...batch,
    inputs: batch.inputs.subarray(0, rows * T),
    targets: batch.targets.subarray(0, rows * T),
    batchSize: rows,
  };
  const prof = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => calcLossBatch(part, model),
      params.map(([, v]) => v),
    );
    tf.dispose([value, ...Object.values(grads)]);
  });
  const byKernel = new Map<string, { ms: number; n: number }>();
  for (const k of prof.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    byKernel.set(k.name, e);
  }
  const sum = [...byKernel.values()].reduce((a, e) => a + e.ms, 0);
  console.log(
    `kernel profile of one forward+backward pass of ${rows} row(s) (${sum.toFixed(0)} ms in kernels; peak ${(prof.peakBytes / 2 ** 30).toFixed(2)} GiB of tensors, ${(tf.memory().numBytes / 2 ** 30).toFixed(2)} GiB live before):`,
  );
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(
      `  ${name.padEnd(22)} ${e.ms.toFixed(0).padStart(7)} ms  ${((100 * e.ms) / sum).toFixed(1).padStart(5)}%  x${e.n}`,
    );
  }
}
