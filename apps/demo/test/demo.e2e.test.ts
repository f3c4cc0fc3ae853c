// End-to-end tests of the built site in Debian's headless Chromium: the page loads without console
// errors, the tokenizer gives the ids @llmfs/bpe-tokenizer gives in Node, the bundled model generates
// the greedy ids the book's PyTorch code produced (gpt-tiny fixture), the causal mask holds in the
// attention maps, a few training steps lower the loss (and the exported zip loads in Node), and hostile
// files are refused with typed errors shown as text. Screenshots of each view go to screenshots/.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { configFromHf, hfStateToLlmfs, loadModelDirectory, readSafetensors } from '@llmfs/gpt2-weights';
import { generate } from '@llmfs/gpt-model';
import { initBackend } from '@llmfs/nn';
import { gptTinyExpected, theVerdict } from '@llmfs/testing';
import {
  DIST_DIR,
  SCREENSHOT_DIR,
  ensureBuilt,
  launchChromium,
  serveStatic,
  skipReason,
} from './browser-harness.js';

const reason = skipReason();
if (reason) console.warn(`[demo e2e] skipped: ${reason}`);

/** Minimal safetensors bytes with the given header object and `dataBytes` bytes of data. */
function safetensorsBytes(header: Record<string, unknown>, dataBytes: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** The bundled model's safetensors with one more tensor, named `name`, appended. */
function withExtraTensor(name: string): Uint8Array {
  const bytes = new Uint8Array(fs.readFileSync(path.join(DIST_DIR, 'models/default/model.safetensors')));
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  const data = bytes.subarray(8 + n);
  header[name] = { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] };
  const out = safetensorsBytes(header, data.length + 4);
  out.set(data, out.length - data.length - 4);
  return out;
}

describe.skipIf(!!reason)('demo site in headless Chromium', () => {
  let server: { url: string; close: () => Promise<void> };
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    server = await serveStatic(DIST_DIR);
    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    // wasm: the backend every browser has, so the figures and ids are comparable across machines.
    await page.goto(`${server.url}?backend=wasm#tokenizer`);
    await page.waitForSelector('#backend-status[data-backend]', { timeout: 60_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads under its CSP with the backend shown', async () => {
    expect(await page.getAttribute('#backend-status', 'data-backend')).toBe('wasm');
    const csp = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");
    expect(csp).not.toContain("'unsafe-inline'");
    expect(consoleErrors).toEqual([]);
  });

  it('tokenizes a sentence into the ids @llmfs/bpe-tokenizer gives in Node', async () => {
    const text = 'Hello, world. Akwirw ier naïve ∑ <|endoftext|> the end';
    await page.fill('#tok-input', text);
    const expected = getEncoding('gpt2').encode(text, { allowedSpecial: 'all' });
    expect(expected.slice(0, 2)).toEqual([15496, 11]); // "Hello" ",": GPT-2's published ids
    await page.waitForFunction(
      (want) => document.querySelector('[data-testid=tok-ids]')?.textContent === want,
      JSON.stringify(expected),
    );
    expect(await page.textContent('[data-testid=tok-counts]')).toContain(`${expected.length} GPT-2 tokens`);
    // "∑" is split over two byte-level tokens: the bytes panel lists them.
    expect(await page.textContent('[data-testid=tok-bytes]')).toContain('∑');
    // The simple tokenizer (vocabulary of the-verdict.txt) maps unseen words to <|unk|>.
    expect(await page.textContent('[data-testid=simple-counts]')).toMatch(/[1-9]\d* × <\|unk\|>/);
    await page.fill(
      '#tok-input',
      'Hello, do you like tea? In the sunlit terraces of someunknownPlace. ∑ ≈ ∞ naïve café <|endoftext|>',
    );
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'tokenizer.png'), fullPage: true });
  });

  it("generates greedily from the bundled model exactly what the book's PyTorch code did", async () => {
    const exp = gptTinyExpected().generate_greedy;
    await page.click('#tab-generate');
    await page.fill('#gen-prompt', exp.prompt);
    await page.fill('#view-generate input[name=maxNewTokens]', String(exp.max_new_tokens));
    await page.fill('#view-generate input[name=temperature]', '0');
    await page.click('#gen-start');
    await page.waitForSelector('[data-testid=gen-speed][data-done=true]', { timeout: 90_000 });
    const ids = JSON.parse((await page.getAttribute('[data-testid=gen-speed]', 'data-ids'))!);
    expect(ids).toEqual(exp.output_ids.slice(exp.prompt_ids.length));
    expect(
      Number(await page.getAttribute('[data-testid=gen-speed]', 'data-tokens-per-second')),
    ).toBeGreaterThan(0);
    // Stop cancels a long run between two tokens.
    await page.fill('#view-generate input[name=maxNewTokens]', '1000');
    await page.fill('#view-generate input[name=temperature]', '1');
    await page.click('#gen-start');
    await page.waitForFunction(() =>
      (document.querySelector('[data-testid=gen-speed]')?.textContent ?? '').includes('tokens/s'),
    );
    await page.click('#gen-stop');
    await page.waitForSelector('[data-testid=gen-speed][data-done=true]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid=gen-speed]')).toContain('stopped');
    expect(JSON.parse((await page.getAttribute('[data-testid=gen-speed]', 'data-ids'))!).length).toBeLessThan(
      1000,
    );
    // Then a sampled run, for the screenshot.
    await page.fill('#view-generate input[name=maxNewTokens]', '40');
    await page.fill('#view-generate input[name=temperature]', '0.9');
    await page.click('#gen-start');
    await page.waitForSelector('[data-testid=gen-speed][data-done=true]', { timeout: 90_000 });
    expect((await page.textContent('[data-testid=gen-generated]'))!.length).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'generate.png'), fullPage: true });
  });

  it('shows attention heatmaps that respect the causal mask', async () => {
    await page.click('#tab-attention');
    await page.click('#att-run');
    await page.waitForSelector('[data-testid=att-info][data-max-above]', { timeout: 60_000 });
    expect(Number(await page.getAttribute('[data-testid=att-info]', 'data-max-above'))).toBe(0);
    expect(await page.locator('#att-layer option').count()).toBe(2);
    expect(await page.locator('[data-testid=att-grid] canvas').count()).toBe(4);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'attention.png'), fullPage: true });
  });

  it('trains a tiny GPT: the loss falls, pause holds, and the export loads in Node', async () => {
    await page.click('#tab-train');
    await page.fill('#train-text', theVerdict());
    await page.fill('#view-train input[name=maxSteps]', '40');
    await page.fill('#view-train input[name=evalEvery]', '20');
    await page.click('#train-start');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid=train-stats]')?.getAttribute('data-step')) >= 5,
      null,
      { timeout: 90_000 },
    );
    // The page stays responsive while the worker trains: a task on the main thread runs at once.
    const lag = await page.evaluate(
      () =>
        new Promise<number>((r) => {
          const t0 = performance.now();
          setTimeout(() => r(performance.now() - t0), 0);
        }),
    );
    expect(lag).toBeLessThan(500);
    await page.click('#train-pause');
    await page.waitForSelector('[data-testid=train-stats][data-paused=true]'); // the worker confirmed it
    const stepAtPause = Number(await page.getAttribute('[data-testid=train-stats]', 'data-step'));
    await page.waitForTimeout(1000);
    expect(Number(await page.getAttribute('[data-testid=train-stats]', 'data-step'))).toBe(stepAtPause);
    await page.click('#train-pause'); // resume
    await page.waitForSelector('[data-testid=train-stats][data-done=true]', { timeout: 120_000 });
    const losses: number[] = JSON.parse(
      (await page.getAttribute('[data-testid=train-stats]', 'data-losses'))!,
    );
    expect(losses.length).toBe(40);
    console.log(`[demo e2e] training losses: ${losses.map((l) => l.toFixed(2)).join(' ')}`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // From ln(50257) = 10.8 at random init; 40 steps of AdamW bring it well below.
    expect(losses[0]).toBeGreaterThan(9.5);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)) - 2);
    // No tensor leaks in the worker: after step 1 (which creates AdamW's moments) the count stays flat.
    const counts: number[] = JSON.parse(
      (await page.getAttribute('[data-testid=train-stats]', 'data-tensor-counts'))!,
    );
    expect(new Set(counts.slice(1)).size).toBe(1);
    // the trainer's evaluations (after steps 1 and 21 of 40, every 20), in the book's words, newest first
    const evals = (await page.textContent('[data-testid=train-evals]'))!;
    expect(evals).toMatch(
      /^Ep \d+ \(Step 000020\): Train loss \d+\.\d{3}, Val loss \d+\.\d{3}Ep 1 \(Step 000000\): Train loss \d+\.\d{3}, Val loss \d+\.\d{3}$/,
    );
    await page.waitForSelector('[data-testid=train-samples] .sample');
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'train.png'), fullPage: true });

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-export')]);
    const zip = unzipSync(new Uint8Array(fs.readFileSync((await download.path())!)));
    const config = JSON.parse(new TextDecoder().decode(zip['llmfs-browser-model/config.json']));
    const cfg = configFromHf(config);
    expect(cfg).toMatchObject({ vocabSize: 50257, contextLength: 32, embDim: 32, nHeads: 2, nLayers: 2 });
    const state = hfStateToLlmfs(readSafetensors(zip['llmfs-browser-model/model.safetensors']), cfg);
    expect(state.get('trf_blocks.1.ff.layers.2.weight')!.shape).toEqual([128, 32]);
    // The directory loads as the CLI loads it, and greedy text in Node equals the page's sample.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-demo-export-'));
    for (const [name, bytes] of Object.entries(zip)) {
      fs.mkdirSync(path.join(dir, path.dirname(name)), { recursive: true });
      if (!name.endsWith('/')) fs.writeFileSync(path.join(dir, name), bytes);
    }
    await initBackend('wasm', { log: () => undefined });
    const { model } = await loadModelDirectory(path.join(dir, 'llmfs-browser-model'));
    const enc = getEncoding('gpt2');
    const [row] = await generate(model, {
      idx: [enc.encode('Every effort moves you')],
      maxNewTokens: 25,
      temperature: 0,
    });
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    const sample = (await page.textContent('[data-testid=train-samples] .sample'))!;
    expect(sample).toBe(`step 40: ${enc.decode(row)}`);
  });

  it('rejects hostile files with typed errors shown as text', async () => {
    await page.click('#tab-generate');
    const config = fs.readFileSync(path.join(DIST_DIR, 'models/default/config.json'));
    const pick = async (name: string, bytes: Uint8Array) => {
      await page.setInputFiles('[data-testid=model-files]', [
        { name: 'config.json', mimeType: 'application/json', buffer: config },
        { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) },
      ]);
      await page.waitForSelector('#view-generate [data-testid=model-error]:not([hidden])', {
        timeout: 30_000,
      });
      const text = (await page.textContent('#view-generate [data-testid=model-error]'))!;
      await page.evaluate(() =>
        document.querySelector('#view-generate [data-testid=model-error]')!.setAttribute('hidden', ''),
      );
      return text;
    };
    // A header length of 2^40 bytes.
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expect(await pick('huge-header.safetensors', huge)).toMatch(/^SafetensorsError: /);
    // Not a safetensors file at all.
    expect(
      await pick('garbage.safetensors', new TextEncoder().encode('<html><body>not weights</body></html>')),
    ).toMatch(/^SafetensorsError: /);
    // Offsets past the end of the file.
    expect(
      await pick(
        'short.safetensors',
        safetensorsBytes(
          { 'transformer.wte.weight': { dtype: 'F32', shape: [4], data_offsets: [0, 16] } },
          8,
        ),
      ),
    ).toMatch(/^SafetensorsError: /);
    // HTML in a tensor name: refused, and shown as text (no element is created from it).
    const evil = '<img src=x onerror="window.__pwned=1">';
    const msg = await pick('evil.safetensors', withExtraTensor(evil));
    expect(msg).toMatch(/^(SafetensorsError|WeightMappingError): /);
    expect(msg).toContain(evil);
    await page.evaluate(() =>
      document.querySelector('#view-generate [data-testid=model-error]')!.removeAttribute('hidden'),
    );
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'hostile-file.png'), fullPage: true });
    // The page still works: the bundled model loads again.
    await page.click('#view-generate button:has-text("Bundled tiny GPT")');
    await page.waitForFunction(() =>
      /^bundled tiny GPT.*parameters/.test(
        document.querySelector('#view-generate [data-testid=model-status]')?.textContent ?? '',
      ),
    );
  });

  it('logged no console errors in the whole session', () => {
    expect(consoleErrors).toEqual([]);
  });
});
