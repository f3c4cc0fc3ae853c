// Data-loader throughput: llmfs's in-memory and token-file loaders vs a literal port of the book's
// GPTDatasetV1 (JS arrays of windows built up front, as the PyTorch code stores them).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataLoaderV1, createTokenFileLoader, writeTokenFile, type Batch } from '../src/index.js';

const NUM_TOKENS = 4_000_000;
const T = 256;
const B = 8;
const ids = Array.from({ length: NUM_TOKENS }, (_, i) => (i * 2654435761) % 50257);

function time<R>(fn: () => R): [R, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, (performance.now() - t0) / 1000];
}
async function timeAsync<R>(fn: () => Promise<R>): Promise<[R, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, (performance.now() - t0) / 1000];
}
function consume(batches: Iterable<Batch>): number {
  let tokens = 0;
  for (const b of batches) tokens += b.inputs.length;
  return tokens;
}

/** The book's dataset literally (construction + one epoch): input_ids / target_ids lists of windows, then batches by index. */
function bookLiteral(tokenIds: number[], maxLength: number, stride: number, batchSize: number): number {
  const inputIds: number[][] = [];
  const targetIds: number[][] = [];
  for (let i = 0; i < tokenIds.length - maxLength; i += stride) {
    inputIds.push(tokenIds.slice(i, i + maxLength));
    targetIds.push(tokenIds.slice(i + 1, i + maxLength + 1));
  }
  let tokens = 0;
  for (let b = 0; b + batchSize <= inputIds.length; b += batchSize) {
    const x = Int32Array.from(inputIds.slice(b, b + batchSize).flat());
    const y = Int32Array.from(targetIds.slice(b, b + batchSize).flat());
    if (y.length !== x.length) throw new Error('shape mismatch');
    tokens += x.length;
  }
  return tokens;
}

const rows: Array<[string, number, number]> = [];
for (const stride of [T, 1]) {
  const label = `stride ${stride}`;
  const limit = stride === 1 ? 200_000 : NUM_TOKENS; // stride 1 makes 256x more windows
  const sub = ids.slice(0, limit);
  const [tb, sb] = time(() => bookLiteral(sub, T, stride, B));
  rows.push([`book-literal (${label})`, tb, sb]);
  const [tl, sl] = time(() =>
    consume(createDataLoaderV1(sub, { batchSize: B, maxLength: T, stride, shuffle: false })),
  );
  rows.push([`llmfs in-memory, incl. construction (${label})`, tl, sl]);
  const built = createDataLoaderV1(sub, { batchSize: B, maxLength: T, stride, seed: 1 });
  consume(built.batches({ epoch: 0 })); // warm-up
  const [tn, sn] = time(() => consume(built.batches({ epoch: 1, startBatch: 0 })));
  rows.push([`llmfs in-memory shuffled, one epoch (${label})`, tn, sn]);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-dl-bench-'));
const file = path.join(dir, 'ids.bin');
const buf = Buffer.alloc(NUM_TOKENS * 2);
ids.forEach((id, i) => buf.writeUInt16LE(id, 2 * i));
fs.writeFileSync(file, buf);
for (const shuffle of [false, true]) {
  const loader = await createTokenFileLoader(file, {
    batchSize: B,
    maxLength: T,
    stride: T,
    shuffle,
    seed: 1,
  });
  consume(loader.batches({ epoch: 0 })); // warm-up
  const [t, s] = time(() => consume(loader.batches({ epoch: 1 })));
  rows.push([`llmfs token file${shuffle ? ' shuffled' : ''} (stride ${T}, 128 KiB buffer)`, t, s]);
  loader.close();
}

// writeTokenFile with GPT-2 on a folder of text (the-verdict repeated)
const verdict = fs.readFileSync(
  new URL('../../testing/fixtures/data/the-verdict.txt', import.meta.url),
  'utf8',
);
const src = path.join(dir, 'docs');
fs.mkdirSync(src);
for (let i = 0; i < 50; i++)
  fs.writeFileSync(path.join(src, `doc${String(i).padStart(3, '0')}.txt`), verdict);
const [summary, sw] = await timeAsync(() => writeTokenFile(src, path.join(dir, 'corpus.bin')));
fs.rmSync(dir, { recursive: true, force: true });

console.log(`data-loader bench: ${NUM_TOKENS.toLocaleString('en-US')} tokens, batch ${B}, maxLength ${T}`);
const base = new Map<string, number>();
for (const [name, tokens, s] of rows) {
  const rate = tokens / s;
  const key = name.match(/\(stride (\d+)/)?.[1] ?? '';
  if (name.startsWith('book-literal')) base.set(key, rate);
  const ratio = base.get(key) ? ` (${(rate / base.get(key)!).toFixed(1)}x book-literal)` : '';
  console.log(`  ${name.padEnd(58)} ${(rate / 1e6).toFixed(1).padStart(7)} M tokens/s${ratio}`);
}
console.log(
  `  writeTokenFile (GPT-2, 50 docs, ${((50 * verdict.length) / 1e6).toFixed(2)} MB)`.padEnd(60) +
    ` ${(summary.tokens / sw / 1e6).toFixed(2).padStart(7)} M tokens/s, ${((50 * verdict.length) / sw / 1e6).toFixed(2)} MB/s`,
);
