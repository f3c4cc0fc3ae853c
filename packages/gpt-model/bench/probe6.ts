import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const time = (name: string, n: number, f: () => tf.Tensor | tf.Tensor[]) => { tf.dispose(f()); const t0 = performance.now(); for (let i = 0; i < n; i++) { const y = f(); (Array.isArray(y) ? y[0] : y).dataSync(); tf.dispose(y); } const ms = (performance.now() - t0) / n; console.log(name, ms.toFixed(2), 'ms'); return ms; };
  const a3 = tf.randomNormal([24, 256, 64]); const b3 = tf.randomNormal([24, 64, 256]);
  time('bmm 24x[256x64x256] slow path', 3, () => tf.matMul(a3 as tf.Tensor3D, b3 as tf.Tensor3D));
  const as = tf.unstack(a3); const bs = tf.unstack(b3);
  time('24 separate 2d mm (prebuilt operands)', 3, () => as.map((a, i) => tf.matMul(a as tf.Tensor2D, bs[i] as tf.Tensor2D)));
  time('unstack+24 mm+stack', 3, () => tf.tidy(() => { const A = tf.unstack(a3); const B = tf.unstack(b3); return tf.stack(A.map((a, i) => tf.matMul(a as tf.Tensor2D, B[i] as tf.Tensor2D))); }));
  const a1 = as[0], b1 = bs[0];
  time('one 2d mm 256x64x256 same b', 50, () => tf.matMul(a1 as tf.Tensor2D, b1 as tf.Tensor2D));
  time('one 2d mm 256x64x256 fresh b', 50, () => tf.tidy(() => tf.matMul(a1 as tf.Tensor2D, tf.add(b1, 0) as tf.Tensor2D)));
  const w = tf.randomNormal([24, 256, 256]);
  time('bmm 24x[256x256x64] (weights@v) slow', 3, () => tf.matMul(w as tf.Tensor3D, a3 as tf.Tensor3D));
}
main();
