import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const ts: tf.Tensor[] = [];
  try {
    for (let i = 0; i < 40; i++) { ts.push(tf.zeros([256 * 1024 * 1024 / 4 / 2])); await ts[ts.length - 1].data(); console.log('allocated MiB', (i + 1) * 128, 'heap', ((tf.backend() as any).wasm.HEAPU8.length / 2 ** 20).toFixed(0)); }
  } catch (e) { console.log('failed', String(e).slice(0, 200)); }
}
main();
