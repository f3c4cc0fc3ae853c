import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const time = (name: string, n: number, f: () => tf.Tensor | tf.Tensor[]) => { tf.dispose(f()); const t0 = performance.now(); for (let i = 0; i < n; i++) { const y = f(); (Array.isArray(y) ? y[0] : y).dataSync(); tf.dispose(y); } const ms = (performance.now() - t0) / n; console.log(name, ms.toFixed(2), 'ms'); return ms; };
  const a3 = tf.randomNormal([24, 256, 64]);
  time('unstack', 5, () => tf.unstack(a3));
  time('split 24', 5, () => tf.split(a3, 24, 0));
  time('slice x24', 5, () => Array.from({ length: 24 }, (_, i) => tf.slice(a3, [i, 0, 0], [1, 256, 64])));
  const a2 = tf.reshape(a3, [24 * 256, 64]);
  time('slice2d x24', 5, () => Array.from({ length: 24 }, (_, i) => tf.slice(a2, [i * 256, 0], [256, 64])));
  const parts = tf.split(a3, 24, 0);
  time('concat 24', 5, () => tf.concat(parts, 0));
  const parts2 = Array.from({ length: 24 }, (_, i) => tf.slice(a2, [i * 256, 0], [256, 64]));
  time('concat2d 24', 5, () => tf.concat(parts2, 0));
  time('stack 24', 5, () => tf.stack(parts2));
  time('transpose [24,256,64]->[24,64,256]', 5, () => tf.transpose(a3, [0, 2, 1]));
}
main();
