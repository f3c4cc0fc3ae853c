// Child process of heap-exhaustion.test.ts: fills wasm's 4 GiB heap for real, then checks that the
// failure is a typed error, that the backend still works once memory is freed, and that an XNNPACK
// status line (as the module prints it, through fs.writeSync on fd 2) is kept off stderr and turned into
// a typed error by checkWasmHealth. Prints one JSON line.
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { checkWasmHealth, initBackend } from '../src/index.js';

await initBackend('wasm', { log: () => {} });
const fill: tf.Tensor[] = [];
let mallocError = '';
for (let mb = 512; !mallocError;) {
  try {
    fill.push(tf.zeros([(mb * 2 ** 20) / 4]));
  } catch (e) {
    if (mb > 64) mb /= 2;
    else mallocError = `${(e as Error).name}: ${(e as Error).message}`;
  }
}
const filledGiB = fill.reduce((s, t) => s + t.size * 4, 0) / 2 ** 30;
tf.dispose(fill);
const y = tf.fused.matMul({ a: tf.ones([2, 3]) as tf.Tensor2D, b: tf.ones([3, 4]) as tf.Tensor2D });
const ok = y.dataSync()[0] === 3;
fs.writeSync(2, 'XNN status for xnn_create_fully_connected_nc_f32 is not successful. Got status 6\n');
let xnnError = '';
try {
  checkWasmHealth();
} catch (e) {
  xnnError = `${(e as Error).name}: ${(e as Error).message}`;
}
checkWasmHealth(); // reported once
process.stdout.write(JSON.stringify({ mallocError, filledGiB, ok, xnnError }) + '\n');
