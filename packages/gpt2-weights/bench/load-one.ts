// Child of the load benchmark: one measurement in a fresh process, printed as JSON.
// argv: <mode> <dir>. Modes: model (loadModelDirectory on wasm), stream (every tensor read and converted,
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
console.log(JSON.stringify({ mode, dir, ms, peakRssMB: peak / 2 ** 20, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
