// Benchmark: GPT-2 124M (random weights) generation speed with and without the KV cache on the default
// backend, next to the book's PyTorch code measured on this machine; then a training-step profile.
// Run: npm run bench -w @llmfs/gpt-model   (env: BENCH_TOKENS, BENCH_UNCACHED_TOKENS, BENCH_TRAIN=0)
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
  console.log(`GPT-2 124M random init: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${model.numParameters().toLocaleString('en-US')} parameters`);
  const prompt = [[15496, 11, 314, 716]]; // "Hello, I am"

  await generate(model, { idx: prompt, maxNewTokens: 3, useCache: true }); // warm-up (packs weights)
  t0 = performance.now();
  await generate(model, { idx: prompt, maxNewTokens: nTokens, useCache: true });
  const cached = nTokens / ((performance.now() - t0) / 1000);

  await generate(model, { idx: prompt, maxNewTokens: 2, useCache: false });
  t0 = performance.now();
  await generate(model, { idx: prompt, maxNewTokens: nUncached, useCache: false });
  const uncached = nUncached / ((performance.now() - t0) / 1000);

  console.log(`\nGeneration, batch 1, prompt 4 tokens, greedy, backend ${backend}`);
  console.log('| path | new tokens | llmfs tok/s | book PyTorch tok/s | ratio |');
  console.log('|---|---|---|---|---|');
  console.log(`| KV cache | ${nTokens} | ${cached.toFixed(1)} | ${BOOK_TOKS_CACHED} | ${(cached / BOOK_TOKS_CACHED).toFixed(2)}x |`);
  console.log(`| no cache | ${nUncached} | ${uncached.toFixed(1)} | ${BOOK_TOKS_UNCACHED} | ${(uncached / BOOK_TOKS_UNCACHED).toFixed(2)}x |`);

  if (process.env.BENCH_TRAIN !== '0') {
    const b = Number(process.env.BENCH_TRAIN_BATCH ?? 2);
    const t = Number(process.env.BENCH_TRAIN_CTX ?? 256);
    model.train();
    const ids = tf.randomUniform([b, t], 0, GPT_CONFIG_124M.vocabSize, 'int32') as tf.Tensor2D;
    const tgt = tf.randomUniform([b * t], 0, GPT_CONFIG_124M.vocabSize, 'int32') as tf.Tensor1D;
    const params = model.parameters();
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => {
          const logits = tf.reshape(model.forward(ids), [b * t, -1]); // (B,T,V) -> (B*T, V)
          const lp = tf.logSoftmax(logits);
          const flat = tf.add(tf.mul(tf.range(0, b * t, 1, 'int32'), tf.scalar(GPT_CONFIG_124M.vocabSize, 'int32')), tgt);
          return tf.neg(tf.mean(tf.gather(tf.reshape(lp, [-1]), flat))) as tf.Scalar;
        }, params);
        value.dataSync();
        return Object.values(grads).length;
      });
    let fwd = 0;
    t0 = performance.now();
    tf.tidy(() => model.forward(ids).dataSync());
    fwd = performance.now() - t0;
    step(); // warm-up
    const n = Number(process.env.BENCH_TRAIN_STEPS ?? 2);
    t0 = performance.now();
    for (let i = 0; i < n; i++) step();
    const fb = (performance.now() - t0) / n;
    console.log(`\nTraining step profile (GPT-2 124M, batch ${b}, context ${t}, ${backend}): forward ${(fwd / 1000).toFixed(2)} s, forward+backward ${(fb / 1000).toFixed(2)} s (${((b * t) / (fb / 1000)).toFixed(0)} tokens/s)`);
    tf.dispose([ids, tgt]);
  }
  console.log(`tensors alive: ${tf.memory().numTensors}`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
