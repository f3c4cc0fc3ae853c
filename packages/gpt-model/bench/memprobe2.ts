import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@llmfs/nn';
import { GPTModel, GPT_CONFIG_124M } from '../src/index.js';
async function main() {
  await initBackend('wasm');
  const V = Number(process.env.V ?? 50257), L = Number(process.env.L ?? 12);
  const model = new GPTModel({ ...GPT_CONFIG_124M, vocabSize: V, nLayers: L, dropRate: 0 }).train();
  const heap = () => `${(tf.memory().numBytes / 2 ** 20).toFixed(0)} live / ${((tf.backend() as any).wasm.HEAPU8.length / 2 ** 20).toFixed(0)} heap MiB`;
  console.log('init', heap());
  const ids = tf.randomUniform([2, 64], 0, V, 'int32') as tf.Tensor2D;
  const { value, grads } = tf.variableGrads(() => tf.mean(model.forward(ids)) as tf.Scalar, model.parameters());
  console.log('after grads', heap(), value.dataSync()[0]);
  tf.dispose([value, ...Object.values(grads)]);
  console.log('after dispose', heap());
}
main().catch((e) => console.log('ERR', String(e).slice(0, 300)));
