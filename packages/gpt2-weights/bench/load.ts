// Benchmark: load time and peak memory (max RSS of a fresh process) for a GPT-2-124M-shaped random model
// as safetensors and as a TensorFlow bundle, next to the file sizes; the peer is the naive way
// (read the whole safetensors file, then decode it all).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeGpt2Files } from './make-gpt2-files.js';

const out = process.env.LLMFS_BENCH_DIR ?? '/tmp/llmfs-bench-gpt2';
const t0 = performance.now();
const { hf, openai } = await makeGpt2Files(out);
console.log(`files ready in ${((performance.now() - t0) / 1000).toFixed(1)} s under ${out}`);
const size = (f: string) => fs.statSync(f).size / 2 ** 20;
const stSize = size(path.join(hf, 'model.safetensors'));
const bundleSize =
  size(path.join(openai, 'model.ckpt.data-00000-of-00001')) + size(path.join(openai, 'model.ckpt.index'));
const child = fileURLToPath(new URL('./load-one.ts', import.meta.url));
const run = (mode: string, dir: string) =>
  JSON.parse(
    execFileSync(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', child, mode, dir], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    })
      .trim()
      .split('\n')
      .pop()!,
  );
const rows: Array<[string, number, { ms: number; maxRssMB: number }]> = [
  ['safetensors: tensors streamed (no model)', stSize, run('stream', hf)],
  ['bundle: tensors streamed + CRC32C (no model)', bundleSize, run('stream', openai)],
  ['new GPTModel(124M) alone (random init, wasm)', 0, run('init', hf)],
  ['safetensors -> GPTModel (wasm)', stSize, run('model', hf)],
  ['bundle -> GPTModel (wasm)', bundleSize, run('model', openai)],
  ['peer: readFileSync + readSafetensors whole', stSize, run('whole', hf)],
];
const baseline = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--conditions=@llmfs/source',
      '--import',
      'tsx',
      '-e',
      'console.log(JSON.stringify({maxRssMB: Number(/VmHWM:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status","utf8"))[1])/1024}))',
    ],
    { encoding: 'utf8' },
  ),
);
console.log(
  `\nGPT-2 124M shape, random fp32 weights; empty node+tsx process max RSS ${baseline.maxRssMB.toFixed(0)} MB`,
);
console.log('| what | file MB | load s | max RSS MB | RSS / file |');
console.log('|---|---|---|---|---|');
for (const [what, mb, r] of rows)
  console.log(
    `| ${what} | ${mb ? mb.toFixed(0) : '-'} | ${(r.ms / 1000).toFixed(2)} | ${r.maxRssMB.toFixed(0)} | ${mb ? (r.maxRssMB / mb).toFixed(2) : '-'} |`,
  );
