import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const s = tf.randomNormal([1, 768]);
  const t = (name: string, f: () => void) => { for (let i = 0; i < 200; i++) f(); const t0 = performance.now(); for (let i = 0; i < 2000; i++) f(); console.log(name, ((performance.now() - t0) / 2000 * 1000).toFixed(1), 'us'); };
  t('add', () => tf.add(s, s).dispose());
  t('reshape', () => tf.reshape(s, [768]).dispose());
  t('tidy(add)', () => tf.tidy(() => tf.add(s, s)).dispose());
  t('mean', () => tf.mean(s, -1, true).dispose());
  t('sigmoid', () => tf.sigmoid(s).dispose());
}
main();
