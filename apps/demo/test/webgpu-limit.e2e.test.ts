// WebGPU in headless Chromium (SwiftShader's adapter, which binds up to 1 GiB): the page lowers the
// binding limit it plans for (?maxBinding=BYTES) to what small adapters have, and @llmfs/nn splits the
// token embedding and the head by vocabulary shards to fit it. The bundled gpt-tiny at 1 MiB, and a
// GPT-2 124M (seeded random weights written by the test) at 128 MiB, generate the greedy ids computed
// independently in Node on the wasm backend. Speed is not asserted; the 124M run's time is printed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { saveModelDirectory } from '@llmfs/gpt2-weights';
import { GPT_CONFIG_124M, GPTModel, generate } from '@llmfs/gpt-model';
import { initBackend } from '@llmfs/nn';
import { gptTinyExpected } from '@llmfs/testing';
import * as tf from '@tensorflow/tfjs';
import {
  DIST_DIR,
  WEBGPU_FLAGS,
  ensureBuilt,
  launchChromium,
  serveStatic,
  skipReason,
} from './browser-harness.js';

const reason = skipReason();
const MiB = 2 ** 20;

/** Greedy ids of `model` after `prompt` and, at each step, the gap between the two largest logits. */
async function greedyWithMargins(
  model: GPTModel,
  prompt: number[],
  n: number,
): Promise<{ ids: number[]; margins: number[] }> {
  const [row] = await generate(model, { idx: [prompt], maxNewTokens: n, temperature: 0 });
  const ids = row.slice(prompt.length);
  const margins: number[] = [];
  for (let s = 0; s < n; s++) {
    const x = tf.tensor2d([row.slice(0, prompt.length + s)], undefined, 'int32');
    const y = model.forward(x, { lastOnly: true }); // (1, 1, V), no cache: a second computation
    const logits = (await y.data()) as Float32Array;
    tf.dispose([x, y]);
    let [a, b] = [-Infinity, -Infinity];
    let best = -1;
    logits.forEach((v, i) => {
      if (v > a) [b, a, best] = [a, v, i];
      else if (v > b) b = v;
    });
    expect(best, `step ${s}: uncached argmax = cached greedy id`).toBe(ids[s]);
    margins.push(a - b);
  }
  return { ids, margins };
}

describe.skipIf(!!reason)('WebGPU with small binding limits in headless Chromium', () => {
  let server: { url: string; close: () => Promise<void> };
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const consoleErrors: string[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-demo-gpt2-'));

  beforeAll(async () => {
    await ensureBuilt();
    server = await serveStatic(DIST_DIR);
    browser = await launchChromium(WEBGPU_FLAGS);
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** Opens the generate view on WebGPU with `maxBinding`; false (with a warning) when there is no adapter. */
  async function openOnWebgpu(maxBinding: number): Promise<boolean> {
    await page.goto(`${server.url}?backend=webgpu&maxBinding=${maxBinding}#generate`);
    await page.waitForSelector('#backend-status[data-backend]', { timeout: 60_000 });
    const backend = await page.getAttribute('#backend-status', 'data-backend');
    if (backend !== 'webgpu') {
      console.warn(
        `[demo e2e] WebGPU is not available in this Chromium (${await page.textContent('#backend-status')})`,
      );
      if (process.env.CI) expect(backend).toBe('webgpu');
      return false;
    }
    expect(await page.textContent('#backend-status')).toContain(`max storage buffer ${maxBinding / MiB} MiB`);
    return true;
  }

  /** Greedy generation in the page; the ids it reports. */
  async function generateInPage(prompt: string, n: number, timeout: number): Promise<number[]> {
    await page.fill('#gen-prompt', prompt);
    await page.fill('#view-generate input[name=maxNewTokens]', String(n));
    await page.fill('#view-generate input[name=temperature]', '0');
    await page.click('#gen-start');
    await page.waitForSelector(
      '[data-testid=gen-speed][data-done=true], #view-generate [data-testid=gen-error]:not([hidden])',
      { timeout },
    );
    const error = await page.$('#view-generate [data-testid=gen-error]:not([hidden])');
    if (error) throw new Error(`the page failed: ${await error.textContent()}`);
    return JSON.parse((await page.getAttribute('[data-testid=gen-speed]', 'data-ids'))!);
  }

  it("'auto' passes over software renderers (SwiftShader) for wasm, and says so", async () => {
    await page.goto(`${server.url}?backend=auto#tokenizer`);
    await page.waitForSelector('#backend-status[data-backend]', { timeout: 60_000 });
    expect(await page.getAttribute('#backend-status', 'data-backend')).toBe('wasm');
    expect(await page.textContent('#backend-status')).toMatch(/webgl ✓ \(software\)/);
  });

  it("the bundled gpt-tiny at a 1 MiB limit (its 6.1 MiB embedding in 7 shards) gives the book's greedy ids", async () => {
    if (!(await openOnWebgpu(MiB))) return;
    const exp = gptTinyExpected().generate_greedy;
    const ids = await generateInPage(exp.prompt, exp.max_new_tokens, 120_000);
    expect(ids).toEqual(exp.output_ids.slice(exp.prompt_ids.length));
    expect(consoleErrors).toEqual([]);
  });

  it('GPT-2 124M (random weights) at a 128 MiB limit generates the ids wasm gives in Node', async () => {
    // the model and its reference, in Node on wasm; then written with the repo's own writer
    const prompt = 'Every effort moves you';
    const n = 3;
    await initBackend('wasm', { log: () => {} });
    const model = new GPTModel({ ...GPT_CONFIG_124M, dropRate: 0 }, { seed: 123 }).eval();
    const promptIds = getEncoding('gpt2').encode(prompt);
    const { ids: want, margins } = await greedyWithMargins(model, promptIds, n);
    await saveModelDirectory(tmp, model);
    model.dispose();
    // random weights give close logits: the top-2 gap must dwarf the backends' float32 differences
    // (~1e-5 here), or a correct backend could pick the other token
    const minMargin = Math.min(...margins);
    console.log(
      `[demo e2e] GPT-2 124M reference ids ${JSON.stringify(want)}, top-2 margins ${margins.map((m) => m.toFixed(3)).join(', ')}`,
    );
    expect(minMargin).toBeGreaterThan(0.01);

    if (!(await openOnWebgpu(128 * MiB))) return;
    const t0 = performance.now();
    await page.setInputFiles('[data-testid=model-files]', [
      path.join(tmp, 'config.json'),
      path.join(tmp, 'model.safetensors'),
    ]);
    await page.waitForSelector(
      '#view-generate [data-testid=model-status]:has-text("model.safetensors:"), #view-generate [data-testid=model-error]:not([hidden])',
      { timeout: 240_000 },
    );
    expect(await page.textContent('#view-generate [data-testid=model-status]')).toMatch(
      /M parameters · 12 layers · 12 heads · width 768 .* on webgpu$/,
    );
    const loadError = await page.$('#view-generate [data-testid=model-error]:not([hidden])');
    if (loadError) throw new Error(`the page refused the model: ${await loadError.textContent()}`);
    const t1 = performance.now();
    const ids = await generateInPage(prompt, n, 400_000);
    const t2 = performance.now();
    console.log(
      `[demo e2e] GPT-2 124M on WebGPU (SwiftShader, 128 MiB binding limit): load ${((t1 - t0) / 1000).toFixed(1)} s, ${n} tokens ${((t2 - t1) / 1000).toFixed(1)} s`,
    );
    expect(ids).toEqual(want);
    expect(consoleErrors).toEqual([]);
  }, 600_000); // SwiftShader: ~20 s a token on two shared cores
});
