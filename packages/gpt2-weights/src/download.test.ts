// Downloads against a loopback server that misbehaves on purpose: resume after a dropped connection,
// a server ignoring Range, 404, bounded 5xx retries, wrong sha256, a killed process, two processes
// downloading one file (they take turns through a lock file), offline mode, and
// resolveModel's cache with OpenAI's URL plus the backup location.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath, makeTempDir } from '@llmfs/testing';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startServer } from '../test/loopback-server.js';
import { downloadFile } from './download-file.js';
import { DownloadError } from './errors.js';
import {
  cachedModelDir,
  defaultCacheDir,
  downloadModel,
  OPENAI_FILES,
  releaseFiles,
  resolveModel,
  GPT2_RELEASES,
} from './resolve-model.js';

const tmp = makeTempDir('llmfs-dl-');
afterAll(tmp.cleanup);
const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  while (servers.length) await servers.pop()!.close();
});
async function serve(routes: Parameters<typeof startServer>[0]) {
  const s = await startServer(routes);
  servers.push(s);
  return s;
}
const BODY = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251);
const SHA = createHash('sha256').update(BODY).digest('hex');
let n = 0;
const dest = () => path.join(tmp.dir, `f${n++}`, 'file.bin');
const fast = { retryDelayMs: 1 };

describe('downloadFile', () => {
  it('resumes with a Range request after the connection drops half way', async () => {
    const s = await serve({ '/f': { body: BODY, dropFirst: 2 } });
    const d = dest();
    const seen: number[] = [];
    await downloadFile(`${s.url}/f`, d, {
      ...fast,
      sha256: SHA,
      size: BODY.length,
      onProgress: (r) => seen.push(r),
    });
    expect(Buffer.from(fs.readFileSync(d)).equals(Buffer.from(BODY))).toBe(true);
    const ranges = s.log.map((r) => r.range);
    expect(ranges.length).toBe(3);
    expect(ranges[0]).toBeUndefined();
    const starts = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r ?? '')?.[1]));
    expect(starts[0]).toBeGreaterThan(0);
    expect(starts[1]).toBeGreaterThanOrEqual(starts[0]); // each resume starts where the file ends
    expect(seen[seen.length - 1]).toBe(BODY.length);
    expect(fs.readdirSync(path.dirname(d))).toEqual(['file.bin']);
  });

  it('a server ignoring Range restarts from byte 0 without duplicated bytes', async () => {
    const s = await serve({ '/f': { body: BODY, dropFirst: 1, ignoreRange: true } });
    const d = dest();
    await downloadFile(`${s.url}/f`, d, { ...fast, sha256: SHA });
    expect(fs.statSync(d).size).toBe(BODY.length);
    expect(Buffer.from(fs.readFileSync(d)).equals(Buffer.from(BODY))).toBe(true);
    expect(s.log[1].range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('404 is a DownloadError at once (no retries); the backup URL is tried next', async () => {
    const s = await serve({ '/backup/f': { body: BODY } });
    const d = dest();
    await expect(downloadFile(`${s.url}/missing`, d, fast)).rejects.toThrow(/HTTP 404/);
    expect(s.log.length).toBe(1);
    await downloadFile([`${s.url}/missing`, `${s.url}/backup/f`], d, fast);
    expect(fs.statSync(d).size).toBe(BODY.length);
  });

  it('5xx is retried a bounded number of times', async () => {
    const s = await serve({
      '/flaky': { body: BODY, failFirst: { count: 2, status: 503 } },
      '/down': { body: BODY, failFirst: { count: 1e9, status: 500 } },
    });
    await downloadFile(`${s.url}/flaky`, dest(), { ...fast, retries: 3 });
    expect(s.log.filter((r) => r.path === '/flaky').length).toBe(3);
    const err = await downloadFile(`${s.url}/down`, dest(), { ...fast, retries: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.message).toMatch(/HTTP 500.*gave up after 4/);
    expect(s.log.filter((r) => r.path === '/down').length).toBe(4);
  });

  it('a wrong sha256 leaves nothing in place', async () => {
    const s = await serve({ '/f': { body: BODY } });
    const d = dest();
    await expect(downloadFile(`${s.url}/f`, d, { ...fast, sha256: '0'.repeat(64) })).rejects.toThrow(
      /sha256 .* does not match/,
    );
    expect(fs.readdirSync(path.dirname(d))).toEqual([]);
  });

  it('a killed process leaves a .part that the next run resumes', async () => {
    const s = await serve({ '/slow': { body: BODY, throttle: 2000 } });
    const d = dest();
    fs.mkdirSync(path.dirname(d), { recursive: true });
    const child = spawn(
      process.execPath,
      [
        '--conditions=@llmfs/source',
        '--import',
        'tsx',
        fileURLToPath(new URL('../test/download-child.ts', import.meta.url)),
        `${s.url}/slow`,
        d,
      ],
      { stdio: 'ignore' },
    );
    const part = `${d}.part`;
    for (let i = 0; i < 1000 && !(fs.existsSync(part) && fs.statSync(part).size > 20_000); i++)
      await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const partial = fs.statSync(part).size;
    expect(partial).toBeGreaterThan(20_000);
    expect(partial).toBeLessThan(BODY.length);
    expect(fs.existsSync(d)).toBe(false);
    const s2 = await serve({ '/slow': { body: BODY } });
    await downloadFile(`${s2.url}/slow`, d, { ...fast, sha256: SHA });
    expect(s2.log[0].range).toBe(`bytes=${partial}-`);
    expect(Buffer.from(fs.readFileSync(d)).equals(Buffer.from(BODY))).toBe(true);
    expect(fs.readdirSync(path.dirname(d))).toEqual(['file.bin']);
  });

  it('two processes downloading one file take turns: one request, and never a half file in place', async () => {
    // the server holds the second half of the body until the second process waits for the first
    let open = () => {};
    const gate = new Promise<void>((r) => (open = r));
    const failSafe = setTimeout(() => open(), 30_000); // without a lock nobody waits: fail, not hang
    const s = await serve({ '/shared': { body: BODY, gate } });
    const d = dest();
    fs.mkdirSync(path.dirname(d), { recursive: true });
    const child = () => {
      const p = spawn(
        process.execPath,
        [
          '--conditions=@llmfs/source',
          '--import',
          'tsx',
          fileURLToPath(new URL('../test/download-child.ts', import.meta.url)),
          `${s.url}/shared`,
          d,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      p.stdout.on('data', (c) => {
        out += c;
        if (out.includes('waiting for pid')) open();
      });
      p.stderr.on('data', (c) => (out += c));
      return new Promise<{ code: number | null; out: string; pid: number }>((r) =>
        p.on('close', (code) => r({ code, out, pid: p.pid! })),
      );
    };
    const sizes = new Set<number>();
    const watch = setInterval(() => {
      if (fs.existsSync(d)) sizes.add(fs.statSync(d).size);
    }, 2);
    try {
      const first = child();
      // the second starts once the first holds the lock and has bytes on disk
      for (let i = 0; i < 1500 && !(fs.existsSync(`${d}.part`) && fs.statSync(`${d}.part`).size > 0); i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(fs.existsSync(`${d}.lock`)).toBe(true);
      const [a, b] = await Promise.all([first, child()]);
      expect([a.code, b.code]).toEqual([0, 0]);
      expect(b.out.trim()).toBe(`waiting for pid ${a.pid}`);
    } finally {
      clearInterval(watch);
      clearTimeout(failSafe);
    }
    expect(s.log.map((r) => r.path)).toEqual(['/shared']);
    expect(Buffer.from(fs.readFileSync(d)).equals(Buffer.from(BODY))).toBe(true);
    expect([...sizes]).toEqual([BODY.length]);
    expect(fs.readdirSync(path.dirname(d))).toEqual(['file.bin']);
  });

  it('a leftover .part larger than the expected size is discarded', async () => {
    const s = await serve({ '/f': { body: BODY } });
    const d = dest();
    fs.mkdirSync(path.dirname(d), { recursive: true });
    fs.writeFileSync(`${d}.part`, new Uint8Array(BODY.length + 10));
    await downloadFile(`${s.url}/f`, d, { ...fast, size: BODY.length, sha256: SHA });
    expect(s.log[0].range).toBeUndefined();
    expect(Buffer.from(fs.readFileSync(d)).equals(Buffer.from(BODY))).toBe(true);
  });
});

describe('resolveModel and the cache', () => {
  const oaFiles = Object.fromEntries(
    OPENAI_FILES.map((f) => [
      `/mirror/124M/${f}`,
      { body: new Uint8Array(fs.readFileSync(fixturePath('gpt-tiny', 'openai', f))) },
    ]),
  );

  it('offline without a cache: typed error, no request reaches the server', async () => {
    const s = await serve(oaFiles);
    const cacheDir = path.join(tmp.dir, 'cache-empty');
    const err = await resolveModel('gpt2', {
      cacheDir,
      offline: true,
      format: 'openai',
      openaiBaseUrls: [`${s.url}/mirror`],
    }).catch((e) => e);
    expect(err).toBeInstanceOf(DownloadError);
    expect(err.message).toMatch(/not in the cache .* offline/);
    expect(s.log).toEqual([]);
  });

  it('downloads the OpenAI layout (primary URL 404 -> the backup), then serves it from the cache offline', async () => {
    const s = await serve(oaFiles);
    const cacheDir = path.join(tmp.dir, 'cache');
    const progress = new Set<string>();
    const dir = await resolveModel('gpt2', {
      cacheDir,
      format: 'openai',
      openaiBaseUrls: [`${s.url}/primary`, `${s.url}/mirror`],
      onProgress: (f) => progress.add(f),
      ...fast,
    });
    expect(dir).toBe(await cachedModelDir('gpt2', { cacheDir, format: 'openai' }));
    expect(fs.readdirSync(dir).sort()).toEqual([...OPENAI_FILES].sort());
    expect(progress.size).toBe(OPENAI_FILES.length);
    expect(s.log.filter((r) => r.path.startsWith('/primary')).length).toBe(OPENAI_FILES.length);
    for (const f of OPENAI_FILES)
      expect(
        fs.readFileSync(path.join(dir, f)).equals(fs.readFileSync(fixturePath('gpt-tiny', 'openai', f))),
      ).toBe(true);
    const before = s.log.length;
    expect(await resolveModel('124M', { cacheDir, format: 'openai', offline: true })).toBe(dir);
    expect(
      await downloadModel('gpt2-small', { cacheDir, format: 'openai', openaiBaseUrls: [`${s.url}/mirror`] }),
    ).toBe(dir);
    expect(s.log.length).toBe(before);
  });

  it('an existing directory resolves to itself; unknown names are typed errors', async () => {
    expect(await resolveModel(fixturePath('gpt-tiny', 'hf'))).toBe(fixturePath('gpt-tiny', 'hf'));
    await expect(resolveModel('gpt5', { offline: true })).rejects.toThrow(DownloadError);
  });

  it('URLs: the Hub resolve URLs and OpenAI release URLs with the book backup; cache dir from LLMFS_CACHE', async () => {
    const hf = releaseFiles(GPT2_RELEASES.gpt2, 'hf', { hfEndpoint: 'https://hub.example' });
    expect(hf.map((f) => f.urls[0])).toEqual([
      'https://hub.example/openai-community/gpt2/resolve/main/config.json',
      'https://hub.example/openai-community/gpt2/resolve/main/model.safetensors',
    ]);
    expect(hf[1].sha256).toBe('248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707');
    const oa = releaseFiles(GPT2_RELEASES['gpt2-xl'], 'openai');
    expect(oa[3].urls).toEqual([
      'https://openaipublic.blob.core.windows.net/gpt-2/models/1558M/model.ckpt.data-00000-of-00001',
      'https://f001.backblazeb2.com/file/LLMs-from-scratch/gpt2/1558M/model.ckpt.data-00000-of-00001',
    ]);
    const old = process.env.LLMFS_CACHE;
    process.env.LLMFS_CACHE = path.join(tmp.dir, 'env-cache');
    expect(await defaultCacheDir()).toBe(path.join(tmp.dir, 'env-cache'));
    if (old === undefined) delete process.env.LLMFS_CACHE;
    else process.env.LLMFS_CACHE = old;
  });
});
