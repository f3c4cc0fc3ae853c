// Child of the load benchmark: one measurement in a fresh process, printed as JSON.
// argv: <mode> <dir>. Modes: init (new GPTModel only: the random init loading replaces), model (loadModelDirectory on wasm), stream (every tensor read and converted,
// no model), whole (the naive peer: readFileSync + readSafetensors of the whole file).
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@llmfs/nn';
import { loadModelDirectory, openWeightSource, readSafetensors } from '../src/index.js';

const [mode, dir] = process.argv.slice(2);
let peak = 0;
const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
const t0 = performance.now();
if (mode === 'model') {
  await initBackend('wasm', { log: () => {} });
  const { model } = await loadModelDirectory(dir);
  model.dispose();
} else if (mode === 'init') {
  await initBackend('wasm', { log: () => {} });
  const { GPTModel } = await import('@llmfs/gpt-model');
  const { configFromHf } = await import('../src/index.js');
  new GPTModel(configFromHf(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')))).dispose();
} else if (mode === 'stream') {
  const src = await openWeightSource(dir);
  for (const e of src.mapping) await src.read(e);
  await src.close();
} else {
  const m = readSafetensors(new Uint8Array(fs.readFileSync(path.join(dir, 'model.safetensors'))));
  if (m.size === 0) throw new Error('empty');
}
const ms = performance.now() - t0;
clearInterval(timer);
peak = Math.max(peak, process.memoryUsage().rss);
// VmHWM: this process image's own peak RSS (ru_maxrss would carry the parent's peak across exec).
const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
console.log(
  JSON.stringify({
    mode,
    dir,
    ms,
    sampledPeakMB: peak / 2 ** 20,
    maxRssMB: hwm ? Number(hwm[1]) / 1024 : peak / 2 ** 20,
  }),
);
