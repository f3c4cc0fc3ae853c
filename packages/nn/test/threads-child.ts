// Child process of wasm-threads.test.ts: starts the wasm backend as the environment says (LLMFS_WASM_THREADS),
// runs a few products and a softmax through it, and prints one JSON line: the thread count and the bits
// of the results. It must exit by itself: the pool's workers may not keep Node alive.
import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend, wasmThreadsCount } from '../src/index.js';

await initBackend('wasm', { log: () => {} });
const rng = new Rng(7);
const rand = (shape: [number, number]) =>
  tf.tensor2d(rng.fillUniform(new Float32Array(shape[0] * shape[1]), -1, 1), shape);
const a = rand([96, 200]);
const b = rand([200, 150]);
const y = tf.softmax(tf.matMul(a, b));
const values = Array.from(new Uint32Array((y.dataSync() as Float32Array).slice().buffer));
process.stdout.write(JSON.stringify({ threads: wasmThreadsCount(), values }) + '\n');
