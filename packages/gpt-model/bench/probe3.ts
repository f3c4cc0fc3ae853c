import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel, GPT_CONFIG_124M } from '../src/index.js';
async function main() {
  await initBackend('wasm');
  const cfg = { ...GPT_CONFIG_124M, nLayers: Number(process.env.L ?? 12), vocabSize: Number(process.env.V ?? 50257), embDim: Number(process.env.C ?? 768) };
  const model = new GPTModel(cfg).eval();
  const cache = model.createCache();
  const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32') as tf.Tensor2D;
  model.forward(ids, { cache, lastOnly: true }).dispose();
  const one = tf.tensor2d([[5]], [1, 1], 'int32') as tf.Tensor2D;
  const prof = await tf.profile(() => { const y = model.forward(one, { cache, lastOnly: true }); y.dataSync(); return y; });
  const counts = new Map<string, number>();
  for (const k of prof.kernels) counts.set(k.name, (counts.get(k.name) ?? 0) + 1);
  console.log('kernels per decode step', prof.kernels.length, JSON.stringify([...counts.entries()].sort((a, b) => b[1] - a[1])));
  const n = 20; let t0 = performance.now();
  for (let i = 0; i < n; i++) { const y = model.forward(one, { cache, lastOnly: true }); y.dataSync(); y.dispose(); cache.reset(); model.forward(ids, { cache, lastOnly: true }).dispose(); }
  t0 = performance.now(); const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) { const y = model.forward(one, { cache, lastOnly: true }); y.dataSync(); y.dispose(); }
  const c1 = process.cpuUsage(c0);
  console.log('decode step ms', ((performance.now() - t0) / n).toFixed(2), 'cpu ms', ((c1.user + c1.system) / 1000 / n).toFixed(2));
}
main();
