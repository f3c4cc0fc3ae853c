// Benchmark (not a test): where the wasm heap goes in one GPT-2 124M forward+backward pass (context 256,
// one row; BENCH_B=2 shows the overflow): heap growth per 100 MiB with the allocating op, and the tensors the tape saves, by kernel.
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel, GPT_CONFIG_124M } from '@llmfs/gpt-model';
import { calcLossBatch } from '../src/index.js';

await initBackend('wasm');
const be = tf.backend() as any;
const mib = (x: number) => (x / 2 ** 20).toFixed(0);
let maxBytes = 0;
let lastHeap = be.wasm.HEAPU8.length;
let phase = 'init';
const orig = be.makeOutput.bind(be);
be.makeOutput = (shape: number[], dtype: string, memoryOffset?: number) => {
  const r = orig(shape, dtype, memoryOffset);
  const nb = tf.memory().numBytes;
  if (nb > maxBytes) maxBytes = nb;
  const h = be.wasm.HEAPU8.length;
  if (h > lastHeap + 100 * 2 ** 20) {
    console.log(
      `[${phase}] heap ${mib(h)} MiB, tensors ${mib(nb)} MiB (max ${mib(maxBytes)}), out [${shape}]`,
    );
    lastHeap = h;
  }
  return r;
};
const cfg = { ...GPT_CONFIG_124M, contextLength: 256 };
const model = new GPTModel(cfg, { seed: 123 });
console.log(`model: heap ${mib(be.wasm.HEAPU8.length)}, tensors ${mib(tf.memory().numBytes)}`);
const B = Number(process.env.BENCH_B ?? 1),
  T = 256; // 2 rows in one pass overflow the heap: it prints up to that point
const ids = Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % cfg.vocabSize);
const batch = { inputs: ids, targets: ids, batchSize: B, seqLen: T };
phase = 'forward';
const f = () => {
  const l = calcLossBatch(batch, model);
  phase = 'backward';
  console.log(`end of forward: heap ${mib(be.wasm.HEAPU8.length)}, tensors ${mib(tf.memory().numBytes)}`);
  const tape = (tf.engine() as any).state.activeTape as Array<{ kernelName: string; saved?: tf.Tensor[] }>;
  const seen = new Set<unknown>();
  const by = new Map<string, { bytes: number; n: number }>();
  for (const node of tape) {
    for (const t of node.saved ?? []) {
      if (seen.has(t.dataId)) continue;
      seen.add(t.dataId);
      const e = by.get(node.kernelName) ?? { bytes: 0, n: 0 };
      e.bytes += t.size * 4;
      e.n++;
      by.set(node.kernelName, e);
    }
  }
  let tot = 0;
  for (const [k, e] of [...by].sort((a, b) => b[1].bytes - a[1].bytes)) {
    tot += e.bytes;
    console.log(`  saved by ${k.padEnd(20)} ${mib(e.bytes).padStart(6)} MiB x${e.n}`);
  }
  console.log(`  saved total (distinct buffers) ${mib(tot)} MiB, tape nodes ${tape.length}`);
  return l;
};
const { value, grads } = tf.variableGrads(
  f,
  model.trainableParameters().map(([, v]) => v),
);
console.log(
  `after backward: heap ${mib(be.wasm.HEAPU8.length)}, tensors ${mib(tf.memory().numBytes)} (max ${mib(maxBytes)})`,
);
tf.dispose([value, ...Object.values(grads)]);
