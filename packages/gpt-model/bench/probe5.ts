import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel, GPT_CONFIG_124M, generate } from '../src/index.js';
async function main() {
  await initBackend('wasm');
  const model = new GPTModel({ ...GPT_CONFIG_124M, nLayers: 12 }).eval();
  await generate(model, { idx: [[1, 2, 3, 4]], maxNewTokens: 3 });
  let t0 = performance.now(); let last = t0;
  const gaps: number[] = [];
  await generate(model, { idx: [[1, 2, 3, 4]], maxNewTokens: 30, onToken: () => { const n = performance.now(); gaps.push(Math.round(n - last)); last = n; } });
  console.log('gen 30', ((performance.now() - t0) / 30).toFixed(1), 'ms/token', gaps.join(' '));
  const cache = model.createCache();
  const one = tf.tensor2d([[5]], [1, 1], 'int32') as tf.Tensor2D;
  model.forward(tf.tensor2d([[1, 2, 3, 4]], [1, 4], 'int32') as tf.Tensor2D, { cache, lastOnly: true }).dispose();
  t0 = performance.now();
  for (let i = 0; i < 10; i++) { const y = model.forward(one, { cache, lastOnly: true }); await y.data(); y.dispose(); }
  console.log('forward+await data', ((performance.now() - t0) / 10).toFixed(1));
}
main();
