// `llmfs download` / `llmfs convert` in-process against a loopback Hub (HF_ENDPOINT), and the binary's
// error contract (exit code 1, one line, no stack trace) for hostile weight files, run from the sources.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { fixturePath, makeTempDir } from '@llmfs/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isUserFacing } from '../common.js';
import { register as registerGenerate } from './generate.js';
import { register as registerWeights } from './weights.js';

const tmp = makeTempDir('llmfs-cli-w-');
let server: http.Server;
let hub = '';
const requests: string[] = [];

beforeAll(async () => {
  const files: Record<string, Buffer> = {
    '/openai-community/gpt2-medium/resolve/main/config.json': fs.readFileSync(
      fixturePath('gpt-tiny', 'hf', 'config.json'),
    ),
    '/openai-community/gpt2-medium/resolve/main/model.safetensors': fs.readFileSync(
      fixturePath('gpt-tiny', 'hf', 'model.safetensors'),
    ),
    // gpt2's size and sha256 are known: a different file must never land in the cache
    '/openai-community/gpt2/resolve/main/config.json': fs.readFileSync(
      fixturePath('gpt-tiny', 'hf', 'config.json'),
    ),
    '/openai-community/gpt2/resolve/main/model.safetensors': fs.readFileSync(
      fixturePath('gpt-tiny', 'hf', 'model.safetensors'),
    ),
  };
  server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const body = files[req.url ?? ''];
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hub = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  tmp.cleanup();
});

async function run(env: Record<string, string>, ...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  registerWeights(program);
  registerGenerate(program);
  let out = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
    err.mockRestore();
    process.env = saved;
  }
  return out;
}

describe('llmfs download / convert', () => {
  it('downloads from the Hub into --cache-dir, then generate --model <name> --offline uses the cache', async () => {
    const cache = path.join(tmp.dir, 'cache');
    const res = JSON.parse(
      await run({ HF_ENDPOINT: hub }, 'download', 'gpt2-medium', '--cache-dir', cache, '--json'),
    );
    expect(res).toEqual({
      name: 'gpt2-medium',
      format: 'hf',
      dir: path.join(cache, 'models', 'gpt2-medium', 'hf'),
    });
    expect(fs.readdirSync(res.dir).sort()).toEqual(['config.json', 'model.safetensors']);
    const n = requests.length;
    const gen = JSON.parse(
      await run(
        { HF_ENDPOINT: 'http://127.0.0.1:9' },
        'generate',
        '--model',
        'gpt2-medium',
        '--cache-dir',
        cache,
        '--offline',
        '--prompt',
        'Every effort moves you',
        '--max-new-tokens',
        '3',
        '--json',
        '--backend',
        'wasm',
      ),
    );
    expect(gen.ids).toEqual([760, 13, 198]);
    expect(requests.length).toBe(n);
  });

  it('a file that fails the known size/sha256 of gpt2 is not placed in the cache', async () => {
    const cache = path.join(tmp.dir, 'cache-bad');
    await expect(run({ HF_ENDPOINT: hub }, 'download', 'gpt2', '--cache-dir', cache)).rejects.toThrow(
      /expected 548105171/,
    );
    const dir = path.join(cache, 'models', 'gpt2', 'hf');
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
  });

  it('offline download of an uncached model fails without a request', async () => {
    const n = requests.length;
    await expect(
      run(
        { HF_ENDPOINT: hub },
        'download',
        'gpt2-large',
        '--cache-dir',
        path.join(tmp.dir, 'none'),
        '--offline',
      ),
    ).rejects.toThrow(/offline/);
    expect(requests.length).toBe(n);
  });

  it('convert openai -> hf writes a model directory', async () => {
    const dst = path.join(tmp.dir, 'converted');
    const res = JSON.parse(await run({}, 'convert', fixturePath('gpt-tiny', 'openai'), dst, '--json'));
    expect(res.format).toBe('hf');
    expect(fs.existsSync(path.join(dst, 'model.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(dst, 'config.json'))).toBe(true);
  });
});

describe('the llmfs binary on hostile weights', () => {
  const main = fileURLToPath(new URL('../main.ts', import.meta.url));
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', main, ...args], {
      encoding: 'utf8',
      env: { ...process.env, LLMFS_BACKEND: 'wasm' },
    });

  it('a pickle passed as weights: exit 1, one line, no stack', () => {
    const dir = path.join(tmp.dir, 'hostile');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(fixturePath('gpt-tiny', 'hf', 'config.json'), path.join(dir, 'config.json'));
    fs.writeFileSync(
      path.join(dir, 'model.safetensors'),
      Buffer.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x28, 0x58, 0x01, 0x00]),
    );
    const r1 = cli('info', '--model', dir);
    expect(r1.status).toBe(1);
    const lines1 = r1.stderr
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('llmfs:'));
    expect(lines1).toEqual([
      `llmfs: ${path.join(dir, 'model.safetensors')}: PyTorch pickle files are not supported; use safetensors`,
    ]);
    expect(r1.stderr).not.toMatch(/\n\s+at /);
  });

  it('a corrupt safetensors header is a one-line user-facing error (checked in-process)', async () => {
    const dir = path.join(tmp.dir, 'hostile2');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(fixturePath('gpt-tiny', 'hf', 'config.json'), path.join(dir, 'config.json'));
    const bad = Buffer.from(fs.readFileSync(fixturePath('gpt-tiny', 'hf', 'model.safetensors')));
    bad.writeUInt32LE(0xffffff, 0); // header length past the end
    fs.writeFileSync(path.join(dir, 'model.safetensors'), bad);
    const err = await run(
      {},
      'generate',
      '--model',
      dir,
      '--prompt',
      'hi',
      '--json',
      '--backend',
      'wasm',
    ).catch((e) => e);
    expect(isUserFacing(err)).toBe(true);
    expect(err.message).toBe(
      `${path.join(dir, 'model.safetensors')}: header size 16777215 runs past the end of the file (${bad.length} bytes)`,
    );
  });
});
