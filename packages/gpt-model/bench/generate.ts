// Benchmark: GPT-2 124M (random weights) generation speed with and without the KV cache on the default
// backend, next to the book's PyTorch code measured on this machine; then a training-step profile.
// Run: npm run bench -w @llmfs/gpt-model   (env: BENCH_TOKENS, BENCH_UNCACHED_TOKENS (0 skips), BENCH_TRAIN=0, BENCH_TRAIN_BATCH/CTX/STEPS)
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPT_CONFIG_124M, GPTModel, generate } from '../src/index.js';

const BOOK_TOKS_CACHED = 34; // the book's ch04 gpt_with_kv_cache.py, PyTorch on this machine
const BOOK_TOKS_UNCACHED = 7; // the book's gpt.py generate_text_simple, same machine

async function main(): Promise<void> {
  const backend = await initBackend();
  const nTokens = Number(process.env.BENCH_TOKENS ?? 200);
  const nUncached = Number(process.env.BENCH_UNCACHED_TOKENS ?? 50);
  let t0 = performance.now();
  const model = new GPTModel({ ...GPT_CONFIG_124M }, { seed: 123 }).eval();
  console.log(
    `GPT-2 124M random init: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${model.numParameters().toLocaleString('en-US')} parameters`,
  );
  const prompt = [[15496, 11, 314, 716]]; // "Hello, I am"

  // tokens per wall second, and per second of this process's CPU time (the wasm backend runs on one
  // thread, so the second figure is what an idle machine would show when other jobs share the cores)
  const measure = async (useCache: boolean, n: number): Promise<[number, number]> => {
    await generate(model, { idx: prompt, maxNewTokens: 3, useCache }); // warm-up (packs weights)
    const w0 = performance.now();
    const c0 = process.cpuUsage();
    await generate(model, { idx: prompt, maxNewTokens: n, useCache });
    const c = process.cpuUsage(c0);
    return [n / ((performance.now() - w0) / 1000), n / ((c.user + c.system) / 1e6)];
  };
  const load0 = os.loadavg()[0];
  const [cached, cachedCpu] = nTokens > 0 ? await measure(true, nTokens) : [NaN, NaN];
  const [uncached, uncachedCpu] = nUncached > 0 ? await measure(false, nUncached) : [NaN, NaN];

  console.log(
    `\nGeneration, batch 1, prompt 4 tokens, greedy, backend ${backend}, load average ${load0.toFixed(1)} on ${os.cpus().length} cores`,
  );
  console.log(
    '| path | new tokens | llmfs tok/s (wall) | llmfs tok/CPU-s | book PyTorch tok/s | ratio (wall) | ratio (CPU) |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const row = (name: string, n: number, w: number, c: number, book: number) =>
    console.log(
      `| ${name} | ${n} | ${w.toFixed(1)} | ${c.toFixed(1)} | ${book} | ${(w / book).toFixed(2)}x | ${(c / book).toFixed(2)}x |`,
    );
  row('KV cache', nTokens, cached, cachedCpu, BOOK_TOKS_CACHED);
  row('no cache', nUncached, uncached, uncachedCpu, BOOK_TOKS_UNCACHED);

  if (process.env.BENCH_TRAIN !== '0') {
    const b = Number(process.env.BENCH_TRAIN_BATCH ?? 2);
    const t = Number(process.env.BENCH_TRAIN_CTX ?? 64); // 128+ at batch 2 overflows wasm's 4 GiB heap (GPT-2 124M, untied head)
    model.train();
    const ids = tf.randomUniform([b, t], 0, GPT_CONFIG_124M.vocabSize, 'int32') as tf.Tensor2D;
    const tgt = tf.randomUniform([b * t], 0, GPT_CONFIG_124M.vocabSize, 'int32') as tf.Tensor1D;
    const params = model.parameters();
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const logits = tf.reshape(model.forward(ids), [b * t, -1]); // (B,T,V) -> (B*T, V)
          const lp = tf.logSoftmax(logits);
          const flat = tf.add(
            tf.mul(tf.range(0, b * t, 1, 'int32'), tf.scalar(GPT_CONFIG_124M.vocabSize, 'int32')),
            tgt,
          );
          return tf.neg(tf.mean(tf.gather(tf.reshape(lp, [-1]), flat))) as tf.Scalar;
        }, params);
        value.dataSync();
        return Object.values(grads).length;
      });
    t0 = performance.now();
    let c0 = process.cpuUsage();
    tf.tidy(() => {
      model.forward(ids).dataSync();
    }); // training-mode forward, no tape (inference kernels)
    const fwd = performance.now() - t0;
    const fwdCpu = process.cpuUsage(c0);
    const mem = () => {
      const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
      return `live tensors ${(tf.memory().numBytes / 2 ** 20).toFixed(0)} MiB${heap ? `, wasm heap ${(heap / 2 ** 20).toFixed(0)} MiB of 4096` : ''}`;
    };
    console.log(`\ntraining profile: forward done (${mem()})`);
    step(); // warm-up
    console.log(`training profile: first forward+backward done (${mem()})`);
    const n = Number(process.env.BENCH_TRAIN_STEPS ?? 2);
    t0 = performance.now();
    c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) step();
    const fb = (performance.now() - t0) / n;
    const fbCpu = process.cpuUsage(c0);
    const cpuS = (u: NodeJS.CpuUsage, k = 1) => ((u.user + u.system) / 1e6 / k).toFixed(2);
    console.log(
      `\nTraining step profile (GPT-2 124M, batch ${b}, context ${t}, ${backend}, load ${os.loadavg()[0].toFixed(1)}):`,
    );
    console.log(
      `  forward ${(fwd / 1000).toFixed(2)} s wall / ${cpuS(fwdCpu)} CPU-s; forward+backward (taped) ${(fb / 1000).toFixed(2)} s wall / ${cpuS(fbCpu, n)} CPU-s`,
    );
    tf.dispose([ids, tgt]);
  }
  console.log(`tensors alive: ${tf.memory().numTensors}`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
