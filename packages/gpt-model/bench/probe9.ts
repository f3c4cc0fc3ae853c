import * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@llmfs/nn';
async function main() {
  await initBackend('wasm');
  const r = new Rng(1);
  const cpu = (f: () => void, name: string) => { const c0 = process.cpuUsage(); const w0 = performance.now(); f(); const c = process.cpuUsage(c0); console.log(name, 'wall', (performance.now() - w0).toFixed(0), 'cpu', ((c.user + c.system) / 1000).toFixed(0)); };
  const a = new Float32Array(38_597_376);
  cpu(() => r.fillUniform(a, -1, 1), 'fillUniform 38.6M');
  cpu(() => r.fillNormal(a), 'fillNormal 38.6M');
  cpu(() => { const t = tf.tensor(a, [50257, 768]); const v = tf.variable(t); t.dispose(); v.dataSync(); }, 'tensor+variable 38.6M');
}
main();
