// Benchmark (not a test): where the time of one chapter 5 training step goes (GPT-2 124M, context 256,
// batch 2, AdamW), as llmfs runs it (nn's memory plan, batchGrads, AdamW). Kernel time per group
// (matmul, transposes, copies, everything else), the time outside kernels (JavaScript: the engine,
// custom-gradient scopes, host-memory sums, uploads, AdamW), and the matmul rate at these shapes: in the
// step, and in the same process with nothing else running, XNNPACK alone on the same shapes, once with
// fresh operands each call (as in a training step: every right operand of the backward pass is a new
// tensor that XNNPACK packs before multiplying) and once with the same right operand (packed once).
// Env: LLMFS_BACKEND (default wasm), BENCH_STEPS (timed steps, default 2), BENCH_MICRO (force micro-batches),
// BENCH_EVAL=1 to profile one evaluation batch instead (calcLossBatch in eval mode under the inference plan).
//   npm run bench:profile -w @llmfs/trainer
import * as tf from '@tensorflow/tfjs';
import { createParameters, initBackend, planInference, planTraining, wasmThreadsCount } from '@llmfs/nn';
import {
  GPTModel,
  GPT_CONFIG_124M,
  applyMemoryPlan,
  gptMemoryProfile,
  modelMemoryProfile,
} from '@llmfs/gpt-model';
import { AdamW, batchGrads, calcLossBatch } from '../src/index.js';

const GROUPS: Array<[string, (name: string) => boolean]> = [
  ['matmul', (n) => n === 'BatchMatMul' || n === '_FusedMatMul' || n === 'MatMul'],
  ['transpose', (n) => n === 'Transpose'],
  [
    'copies (split, concat, slice, pack, identity, cast)',
    (n) =>
      ['SplitV', 'Concat', 'Slice', 'Pack', 'Unpack', 'Identity', 'Cast', 'Tile', 'StridedSlice'].includes(n),
  ],
  ['everything else', () => true],
];

const backend = await initBackend(process.env.LLMFS_BACKEND ?? 'wasm');
const cfg = { ...GPT_CONFIG_124M, contextLength: 256 };
const [B, T] = [2, 256];
const steps = Number(process.env.BENCH_STEPS ?? 2);
const micro = process.env.BENCH_MICRO ? Number(process.env.BENCH_MICRO) : undefined;
const evalMode = process.env.BENCH_EVAL === '1';
const shape = { batchSize: B, microBatches: micro };
const planFor = (profile: Parameters<typeof planTraining>[0]) =>
  evalMode ? planInference(profile, { batchSize: B }) : planTraining(profile, shape);
const streamed = planFor(gptMemoryProfile(cfg, { seqLen: T })).mode === 'streamed';
const model = createParameters({ onHost: streamed }, () => new GPTModel(cfg, { seed: 123 }));
if (evalMode) model.eval();
else model.train();
const plan = planFor(modelMemoryProfile(model, { seqLen: T }));
applyMemoryPlan(model, plan);
const named = model.trainableParameters();
const opt = new AdamW(named, { lr: 4e-4, weightDecay: 0.1 });
const n = B * T;
const batch = {
  inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919) % cfg.vocabSize),
  targets: Int32Array.from({ length: n }, (_, i) => (i * 104729 + 1) % cfg.vocabSize),
  batchSize: B,
  seqLen: T,
};
console.log(
  `backend ${backend}${backend === 'wasm' ? ` (${wasmThreadsCount()} threads)` : ''}; GPT-2 124M, context ${T}, batch ${B}, ${evalMode ? 'one evaluation batch' : 'one training step'}; memory plan: ${plan.summary}`,
);

async function step(): Promise<number> {
  const t0 = performance.now();
  if (evalMode) {
    const loss = calcLossBatch(batch, model);
    await loss.data();
    loss.dispose();
  } else {
    const { grads } = await batchGrads(batch, model, named, { plan });
    opt.step(grads, { disposeGrads: true });
  }
  return performance.now() - t0;
}

await step(); // warm-up
const times: number[] = [];
for (let i = 0; i < steps; i++) times.push(await step());
const median = times.length ? [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] : NaN;

// one more step under the profiler (the profiler adds a little per kernel; the shares are what counts)
let profiledMs = 0;
const prof = await tf.profile(async () => {
  profiledMs = await step();
  return [];
});
const groups = new Map(GROUPS.map(([g]) => [g, { ms: 0, n: 0 }]));
const byKernel = new Map<string, { ms: number; n: number }>();
const byShape = new Map<string, { ms: number; n: number; flops: number }>();
let matmulFlops = 0;
let scopeMs = 0;
for (const k of prof.kernels) {
  const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
  if (k.name === 'unnamed scope') {
    // a custom-gradient scope: its kernels are listed on their own as well
    scopeMs += ms;
    continue;
  }
  const g = GROUPS.find(([, f]) => f(k.name))![0];
  const e = groups.get(g)!;
  e.ms += ms;
  e.n++;
  const kk = byKernel.get(k.name) ?? { ms: 0, n: 0 };
  kk.ms += ms;
  kk.n++;
  byKernel.set(k.name, kk);
  if (g === 'matmul') {
    // [.., m, k] x [.., k, n] (no transposed operands in llmfs's products on wasm)
    const [a, b] = k.inputShapes as number[][];
    const m = a[a.length - 2];
    const kd = a[a.length - 1];
    const nn = b[b.length - 1];
    const batches = a.slice(0, -2).reduce((x, y) => x * y, 1);
    const flops = 2 * batches * m * kd * nn;
    matmulFlops += flops;
    const key = `${batches > 1 ? `${batches}x ` : ''}[${m},${kd}]x[${kd},${nn}]`;
    const e = byShape.get(key) ?? { ms: 0, n: 0, flops: 0 };
    e.ms += ms;
    e.n++;
    e.flops += flops;
    byShape.set(key, e);
  }
}
const kernelMs = [...groups.values()].reduce((a, e) => a + e.ms, 0);
console.log(
  `median step ${(median / 1000).toFixed(2)} s over ${steps}; profiled step ${(profiledMs / 1000).toFixed(2)} s, ${(kernelMs / 1000).toFixed(2)} s of it in ${prof.kernels.length} kernels`,
);
console.log('| share of the profiled step | time | share |');
console.log('|---|---|---|');
for (const [g, e] of groups)
  console.log(
    `| ${g} (${e.n} kernels) | ${(e.ms / 1000).toFixed(2)} s | ${((100 * e.ms) / profiledMs).toFixed(1)}% |`,
  );
const outside = profiledMs - kernelMs;
console.log(
  `| outside kernels (engine, custom-gradient scopes, host sums and uploads, AdamW) | ${(outside / 1000).toFixed(2)} s | ${((100 * outside) / profiledMs).toFixed(1)}% |`,
);
const mm = groups.get('matmul')!.ms;
console.log(
  `matmul: ${(matmulFlops / 1e9).toFixed(1)} GFLOP in ${(mm / 1000).toFixed(2)} s = ${(matmulFlops / 1e6 / mm).toFixed(1)} GFLOP/s`,
);
console.log(
  `custom-gradient scopes: ${(scopeMs / 1000).toFixed(2)} s including their kernels (not added above)`,
);

/** GFLOP/s of tf.matMul on `key`'s shapes, alone: fresh operands every call, or one right operand reused. */
async function standaloneRate(key: string, fresh: boolean): Promise<number> {
  const [, batches, m, k, n] = /^(?:(\d+)x )?\[(\d+),(\d+)\]x\[\d+,(\d+)\]$/.exec(key)!.map(Number);
  const lead = batches ? [batches] : [];
  const flops = 2 * (batches || 1) * m * k * n;
  const reps = Math.max(2, Math.min(50, Math.ceil(4e9 / flops)));
  const make = (shape: number[], seed: number) => tf.randomNormal([...lead, ...shape], 0, 1, 'float32', seed);
  let b = make([k, n], 1);
  tf.tidy(() => tf.matMul(make([m, k], 2), b)).dispose(); // warm-up (and, reused, the one packing)
  let ms = 0;
  for (let r = 0; r < reps; r++) {
    const a = make([m, k], 3 + r);
    if (fresh) {
      b.dispose();
      b = make([k, n], 100 + r);
    }
    const t0 = performance.now();
    const out = tf.matMul(a, b);
    if (backend !== 'wasm') await out.data(); // wasm runs its kernels synchronously
    ms += performance.now() - t0;
    tf.dispose([a, out]);
  }
  b.dispose();
  return (flops * reps) / 1e6 / ms;
}

console.log('matmul by shape (top 8 by time): in the step, and XNNPACK alone in this process');
console.log(
  '| shape | calls | time in step | GFLOP/s in step | alone, fresh operands | alone, same right operand | step / fresh |',
);
console.log('|---|---|---|---|---|---|---|');
let stepMs = 0;
let atFreshRateMs = 0;
for (const [key, e] of [...byShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) {
  const inStep = e.flops / 1e6 / e.ms;
  const fresh = await standaloneRate(key, true);
  const same = await standaloneRate(key, false);
  stepMs += e.ms;
  atFreshRateMs += e.flops / 1e6 / fresh;
  console.log(
    `| ${key} | ${e.n} | ${(e.ms / 1000).toFixed(2)} s | ${inStep.toFixed(1)} | ${fresh.toFixed(1)} | ${same.toFixed(1)} | ${(inStep / fresh).toFixed(2)} |`,
  );
}
console.log(
  `these shapes: ${(stepMs / 1000).toFixed(2)} s in the step; ${(atFreshRateMs / 1000).toFixed(2)} s at XNNPACK's own fresh-operand rates (${((100 * stepMs) / mm).toFixed(0)}% of the step's matmul time)`,
);
console.log('top kernels:');
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12))
  console.log(
    `  ${name.padEnd(22)} ${e.ms.toFixed(0).padStart(7)} ms  ${((100 * e.ms) / profiledMs).toFixed(1).padStart(5)}%  x${e.n}`,
  );
opt.dispose();
model.dispose();
