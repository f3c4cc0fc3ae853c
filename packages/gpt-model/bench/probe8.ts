import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const time = (name: string, n: number, f: () => tf.Tensor) => { f().dispose(); const t0 = performance.now(); for (let i = 0; i < n; i++) { const y = f(); y.dataSync(); y.dispose(); } const ms = (performance.now() - t0) / n; console.log(name, ms.toFixed(3), 'ms'); return ms; };
  const x = tf.randomNormal([1, 768]);
  const W = tf.variable(tf.randomNormal([768, 3072])); const bias = tf.variable(tf.randomNormal([3072]));
  for (let r = 0; r < 2; r++) {
  time('plain mm + add', 200, () => tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D), bias)));
  time('fused', 200, () => tf.fused.matMul({ a: x as tf.Tensor2D, b: W as tf.Tensor2D, bias }));
  }
}
main();
