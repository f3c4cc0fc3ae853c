// WebGPU in headless Chromium (SwiftShader's adapter): the site reads the adapter's
// maxStorageBufferBindingSize and refuses, with a typed error shown as text, a model whose tensors
// would not fit one binding (on a 128 MiB adapter such a binding silently reads as zeros). The
// adapter here allows 1 GiB, so the page is asked to enforce a lower limit (?maxBinding=1 MiB).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import {
  DIST_DIR,
  WEBGPU_FLAGS,
  ensureBuilt,
  launchChromium,
  serveStatic,
  skipReason,
} from './browser-harness.js';

const reason = skipReason();

describe.skipIf(!!reason)('WebGPU binding limit in headless Chromium', () => {
  let server: { url: string; close: () => Promise<void> };
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const consoleErrors: string[] = [];

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
  });

  it("'auto' passes over software renderers (SwiftShader) for wasm, and says so", async () => {
    await page.goto(`${server.url}?backend=auto#tokenizer`);
    await page.waitForSelector('#backend-status[data-backend]', { timeout: 60_000 });
    expect(await page.getAttribute('#backend-status', 'data-backend')).toBe('wasm');
    expect(await page.textContent('#backend-status')).toMatch(/webgl ✓ \(software\)/);
  });

  it('refuses the model with BindingSizeError naming the tensor', async () => {
    await page.goto(`${server.url}?backend=webgpu&maxBinding=${2 ** 20}#generate`);
    await page.waitForSelector('#backend-status[data-backend]', { timeout: 60_000 });
    const backend = await page.getAttribute('#backend-status', 'data-backend');
    if (backend !== 'webgpu') {
      // Chromium without a WebGPU adapter here: nothing to check, but say so.
      console.warn(
        `[demo e2e] WebGPU is not available in this Chromium (${await page.textContent('#backend-status')})`,
      );
      if (process.env.CI) expect(backend).toBe('webgpu');
      return;
    }
    expect(await page.textContent('#backend-status')).toContain('max storage buffer 1 MiB');
    await page.click('#gen-start');
    await page.waitForSelector('#view-generate [data-testid=gen-error]:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#view-generate [data-testid=gen-error]')).toMatch(
      /^BindingSizeError: tensor transformer\.wte\.weight is 6\.1 MiB, over this WebGPU adapter's maxStorageBufferBindingSize \(1 MiB\)/,
    );
    expect(consoleErrors).toEqual([]);
  });
});
