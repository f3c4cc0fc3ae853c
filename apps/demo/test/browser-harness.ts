// Helpers of the end-to-end tests: build the site when its sources are newer than dist/, serve dist/
// on 127.0.0.1 with a tiny static server, and start Debian's Chromium headless through playwright-core
// (never a downloaded browser) with a fresh profile.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

export const DEMO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST_DIR = path.join(DEMO_DIR, 'dist');
/** The tracked screenshots/ only when asked (UPDATE_SCREENSHOTS=1); else a temporary folder, so a test
 * run never rewrites tracked files. */
export const SCREENSHOT_DIR =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(DEMO_DIR, 'screenshots')
    : path.join(os.tmpdir(), 'llmfs-demo-screenshots');
export const CHROMIUM = process.env.LLMFS_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run (no network side channels, no GPU). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** SwiftShader flags: a software WebGL (and WebGPU adapter, where Chromium offers one). */
export const SWIFTSHADER_FLAGS = ['--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** Flags that give headless Chromium a WebGPU adapter with no GPU (SwiftShader's Vulkan). */
export const WEBGPU_FLAGS = [
  ...SWIFTSHADER_FLAGS,
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
];

/** Why the browser tests cannot run here, or undefined when they can (in CI they always must). */
export function skipReason(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  if (process.env.CI) return undefined; // in CI a missing browser is a failure, not a skip
  return `${CHROMIUM} is missing: install it with "apt-get install -y chromium" to run the browser tests`;
}

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(p))
    if (e !== 'node_modules' && e !== 'dist') m = Math.max(m, newestMtime(path.join(p, e)));
  return m;
}

/** Runs `vite build` (in a child process, so the test worker stays responsive) unless dist/ is newer than every source the site bundles. */
export async function ensureBuilt(): Promise<void> {
  const built = fs.existsSync(path.join(DIST_DIR, 'index.html'))
    ? fs.statSync(path.join(DIST_DIR, 'index.html')).mtimeMs
    : 0;
  const packages = path.resolve(DEMO_DIR, '../../packages');
  const sources = [
    path.join(DEMO_DIR, 'src'),
    path.join(DEMO_DIR, 'public'),
    path.join(DEMO_DIR, 'index.html'),
    path.join(DEMO_DIR, 'vite.config.ts'),
    ...fs.readdirSync(packages).map((p) => path.join(packages, p, 'src')),
  ];
  if (built > 0 && !process.env.LLMFS_DEMO_REBUILD && sources.every((s) => newestMtime(s) < built)) return;
  const vite = path.join(
    path.dirname(createRequire(import.meta.url).resolve('vite/package.json')),
    'bin',
    'vite.js',
  );
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [vite, 'build', '--logLevel', 'warn'],
    {
      cwd: DEMO_DIR,
      env: { ...process.env, NODE_ENV: 'production' },
      maxBuffer: 16 * 2 ** 20,
    },
  );
  process.stderr.write(stdout + stderr);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
};

/** Serves `root` on 127.0.0.1 (a free port); returns its URL and a close function. */
export async function serveStatic(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.join(root, urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Starts Chromium headless with a fresh profile directory. */
export async function launchChromium(
  extraFlags: string[] = [],
): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS, ...extraFlags],
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
