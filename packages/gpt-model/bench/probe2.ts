import * as tf from '@tensorflow/tfjs';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
async function main() {
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
  if (process.env.THREADS) { tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true); wasm.setThreadsCount(Number(process.env.THREADS)); }
  await tf.setBackend('wasm'); await tf.ready();
  console.log('threads', wasm.getThreadsCount());
  const x = tf.randomNormal([1, 768]);
  const W = tf.variable(tf.randomNormal([768, 50257]));
  const A = tf.randomNormal([512, 768]); const B = tf.variable(tf.randomNormal([768, 768]));
  const time = (name: string, n: number, f: () => tf.Tensor) => { f().dispose(); const t0 = performance.now(); for (let i = 0; i < n; i++) { const y = f(); y.dataSync(); y.dispose(); } const ms = (performance.now() - t0) / n; console.log(name, ms.toFixed(3), 'ms'); return ms; };
  time('head gemv', 20, () => tf.matMul(x as tf.Tensor2D, W as tf.Tensor2D));
  time('mm 512x768x768', 10, () => tf.matMul(A as tf.Tensor2D, B as tf.Tensor2D));
  process.exit(0);
}
main();
