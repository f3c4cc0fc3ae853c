import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const time = (name: string, n: number, f: () => tf.Tensor) => { f().dispose(); const t0 = performance.now(); for (let i = 0; i < n; i++) { const y = f(); y.dataSync(); y.dispose(); } const ms = (performance.now() - t0) / n; console.log(name, ms.toFixed(3), 'ms'); return ms; };
  const x = tf.randomNormal([1, 768]);
  const W = tf.variable(tf.randomNormal([768, 50257]));
  const W2 = tf.variable(tf.randomNormal([768, 3072]));
  const ms = time('head gemv 768x50257', 20, () => tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D));
  console.log('  GB/s', (768 * 50257 * 4 / 1e9) / (ms / 1000));
  const ms2 = time('ff gemv 768x3072', 100, () => tf.matMul(x as tf.Tensor2D, W2 as tf.Tensor2D));
  console.log('  GB/s', (768 * 3072 * 4 / 1e9) / (ms2 / 1000));
  const s = tf.randomNormal([1, 768]);
  time('add small', 1000, () => tf.add(s, s));
  time('10 small ops', 200, () => tf.tidy(() => { let y = s; for (let i = 0; i < 10; i++) y = tf.mul(y, 1.0001); return y; }));
  const a3 = tf.randomNormal([12, 256, 64]); const b3 = tf.randomNormal([12, 64, 256]);
  time('bmm 12x256x64x256 (slow path)', 5, () => tf.matMul(a3 as tf.Tensor3D, b3 as tf.Tensor3D));
  time('12 x 2d mm 256x64x256', 5, () => tf.tidy(() => tf.stack(Array.from({ length: 12 }, (_, i) => tf.matMul(tf.reshape(tf.slice(a3, [i, 0, 0], [1, 256, 64]), [256, 64]) as tf.Tensor2D, tf.reshape(tf.slice(b3, [i, 0, 0], [1, 64, 256]), [64, 256]) as tf.Tensor2D)))));
  const A = tf.randomNormal([512, 768]); const B = tf.randomNormal([768, 768]);
  const ms3 = time('mm 512x768x768 fresh-b each call? (same b)', 10, () => tf.matMul(A as tf.Tensor2D, B as tf.Tensor2D));
  console.log('  GFLOP/s', 2 * 512 * 768 * 768 / 1e9 / (ms3 / 1000));
  const ms4 = time('mm 512x768x768 with fresh b', 10, () => tf.tidy(() => tf.matMul(A as tf.Tensor2D, tf.add(B, 0) as tf.Tensor2D)));
  console.log('  GFLOP/s', 2 * 512 * 768 * 768 / 1e9 / (ms4 / 1000));
}
main();
