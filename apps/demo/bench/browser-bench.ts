// Benchmark of the demo in headless Chromium: generation speed (tokens/s) of the bundled model and
// the time of one training step of the Train view's tiny GPT, on each backend that starts there
// (wasm; webgl and webgpu on SwiftShader, Chromium's software GPU), with the same work in Node's
// tfjs wasm backend as the peer for the ratios.
//   npm run bench -w @llmfs/demo            (LLMFS_BENCH_BACKENDS=wasm,webgl to pick)
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '@llmfs/nn';
import { GPTModel, generate } from '@llmfs/gpt-model';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { loadModelDirectory } from '@llmfs/gpt2-weights';
import { AdamW, trainStep } from '@llmfs/trainer';
import { createDataLoaderV1 } from '@llmfs/data-loader';
import {
  CHROMIUM,
  DEMO_DIR,
  DIST_DIR,
  WEBGPU_FLAGS,
  ensureBuilt,
  launchChromium,
  serveStatic,
} from '../test/browser-harness.js';

const PROMPT = 'Every effort moves you';
const TRAIN = { contextLength: 32, embDim: 32, nHeads: 2, nLayers: 2, batchSize: 4 };
const verdict = fs.readFileSync(path.join(DEMO_DIR, 'public/data/the-verdict.txt'), 'utf8');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Row {
  where: string;
  backend: string;
  tokensPerSecond?: number;
  firstTokenMs?: number;
  stepMs?: number;
  note?: string;
}

/** The same work in Node (tfjs wasm backend): the peer of the ratios. */
async function nodePeer(tokens: number, steps: number): Promise<Row> {
  await initBackend('wasm', { log: () => undefined });
  const { model } = await loadModelDirectory(path.join(DEMO_DIR, 'public/models/default'));
  const ids = getEncoding('gpt2').encode(PROMPT);
  await generate(model, { idx: [ids], maxNewTokens: 4 }); // warm-up
  const times: number[] = [];
  const t0 = performance.now();
  await generate(model, { idx: [ids], maxNewTokens: tokens, onToken: () => times.push(performance.now()) });
  const steady = (tokens - 1) / ((times[times.length - 1] - times[0]) / 1000);
  model.dispose();
  const tiny = new GPTModel({ vocabSize: 50257, dropRate: 0, qkvBias: false, ...TRAIN }, { seed: 123 });
  const opt = new AdamW(tiny.trainableParameters(), { lr: 0.004, weightDecay: 0.1 });
  const stepMs: number[] = [];
  for (const batch of createDataLoaderV1(verdict, {
    batchSize: TRAIN.batchSize,
    maxLength: TRAIN.contextLength,
    stride: TRAIN.contextLength,
    seed: 123,
  })) {
    const s0 = performance.now();
    await trainStep(batch, tiny, opt, { clipNorm: 1 }); // the demo's Train tab step
    stepMs.push(performance.now() - s0);
    if (stepMs.length >= steps) break;
  }
  tiny.dispose();
  return {
    where: 'node',
    backend: 'wasm',
    tokensPerSecond: steady,
    firstTokenMs: times[0] - t0,
    stepMs: median(stepMs.slice(2)),
  };
}

async function inBrowser(
  url: string,
  backend: string,
  flags: string[],
  tokens: number,
  steps: number,
  genBudgetMs: number,
  stepBudgetMs: number,
): Promise<Row> {
  const browser = await launchChromium(flags);
  try {
    const page = await browser.context.newPage();
    await page.goto(`${url}?backend=${backend}#generate`);
    await page.waitForSelector('#backend-status[data-backend], #backend-status.error', { timeout: 60_000 });
    const active = await page.getAttribute('#backend-status', 'data-backend');
    if (active !== backend)
      return {
        where: 'chromium',
        backend,
        note: `not available: ${await page.textContent('#backend-status')}`,
      };
    const run = async (n: number) => {
      await page.fill('#view-generate input[name=maxNewTokens]', String(n));
      await page.fill('#view-generate input[name=temperature]', '0');
      await page.click('#gen-start');
      await page.waitForSelector('[data-testid=gen-speed][data-done=true]', { timeout: genBudgetMs });
      const text = (await page.textContent('[data-testid=gen-speed]'))!;
      return {
        steady: Number(await page.getAttribute('[data-testid=gen-speed]', 'data-steady-tokens-per-second')),
        first: Number(/first token (\d+) ms/.exec(text)?.[1]),
      };
    };
    const row: Row = { where: 'chromium', backend };
    const notes: string[] = [];
    try {
      await run(4); // warm-up: loads the model, compiles kernels or shaders
      const gen = await run(tokens);
      row.tokensPerSecond = gen.steady;
      row.firstTokenMs = gen.first;
    } catch (e) {
      notes.push(`generation: ${(e as Error).message.split('\n')[0]}`);
    }
    await page.click('#tab-train');
    await page.fill('#train-text', verdict);
    await page.fill('#view-train input[name=maxSteps]', String(steps));
    await page.fill('#view-train input[name=evalEvery]', '0');
    await page.click('#train-start');
    try {
      await page.waitForSelector('[data-testid=train-stats][data-done=true]', { timeout: stepBudgetMs });
      const stepMs: number[] = JSON.parse(
        (await page.getAttribute('[data-testid=train-stats]', 'data-step-ms'))!,
      );
      row.stepMs = median(stepMs.slice(Math.min(2, stepMs.length - 1)));
    } catch {
      const done = Number(await page.getAttribute('[data-testid=train-stats]', 'data-step')) || 0;
      notes.push(
        `training: ${done} of ${steps} steps in ${stepBudgetMs / 1000} s (${await page.textContent('[data-testid=train-stats]')})`,
      );
    }
    row.note = notes.join('; ') || undefined;
    return row;
  } catch (e) {
    return { where: 'chromium', backend, note: `failed: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    await browser.close();
  }
}

const wanted = (process.env.LLMFS_BENCH_BACKENDS ?? 'wasm,webgl,webgpu').split(',');
const plans = [
  { backend: 'wasm', flags: [] as string[], tokens: 24, steps: 12, gen: 60_000, train: 120_000 },
  { backend: 'webgl', flags: [] as string[], tokens: 8, steps: 4, gen: 120_000, train: 120_000 },
  { backend: 'webgpu', flags: WEBGPU_FLAGS, tokens: 8, steps: 4, gen: 120_000, train: 120_000 },
].filter((p) => wanted.includes(p.backend));

if (!fs.existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing (apt-get install -y chromium); no browser figures`);
  process.exit(1);
}
await ensureBuilt();
const server = await serveStatic(DIST_DIR);
const rows: Row[] = [await nodePeer(24, 12)];
for (const p of plans) {
  console.error(`bench: ${p.backend} ...`);
  rows.push(await inBrowser(server.url, p.backend, [...p.flags], p.tokens, p.steps, p.gen, p.train));
}
await server.close();

const peer = rows[0];
const fmt = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
console.log(
  `\nllmfs demo benchmark (${new Date().toISOString().slice(0, 10)}; ${CHROMIUM}; no GPU: webgl/webgpu run on SwiftShader)`,
);
console.log(
  `generation: bundled model (2 layers, width 32, vocab 50257), greedy, KV cache, tokens/s after the first`,
);
console.log(
  `training: one AdamW step, GPT ${TRAIN.nLayers} layers width ${TRAIN.embDim} context ${TRAIN.contextLength}, batch ${TRAIN.batchSize}, vocab 50257 (median)\n`,
);
console.log('where     backend  tokens/s  first token ms  x node  train ms/step  x node  note');
for (const r of rows) {
  const gr = r.tokensPerSecond && peer.tokensPerSecond ? r.tokensPerSecond / peer.tokensPerSecond : undefined;
  const tr = r.stepMs && peer.stepMs ? peer.stepMs / r.stepMs : undefined;
  console.log(
    `${r.where.padEnd(9)} ${r.backend.padEnd(8)} ${fmt(r.tokensPerSecond).padStart(8)}  ${fmt(r.firstTokenMs, 0).padStart(14)}  ${fmt(gr, 2).padStart(6)}  ${fmt(r.stepMs, 0).padStart(12)}  ${fmt(tr, 2).padStart(6)}  ${r.note ?? ''}`,
  );
}
console.log('\n"x node": speed relative to Node wasm (above 1 = faster than Node).');
