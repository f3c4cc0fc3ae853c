import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { zipSync, strToU8 } from 'fflate';
import { initBackend } from '@llmfs/nn';
import { GPTModel } from '@llmfs/gpt-model';
import { makeTempDir, maxAbsDiff } from '@llmfs/testing';
import { addClassificationHead } from './classification-head.js';
import { lastTokenLogits } from './classifier-loss.js';
import { loadClassifierDirectory, saveClassifierDirectory } from './classifier-directory.js';
import { downloadSpamData } from './download-spam-data.js';
import { ModelSetupError } from './errors.js';
import { findLoraLayers, replaceLinearWithLora } from './replace-linear-with-lora.js';
import { readSpamData } from './spam-data.js';
import { TINY } from './spam-fixture.fixture.js';

beforeAll(async () => {
  await initBackend('wasm', { log: () => {} });
});

const ids = Int32Array.from([5, 17, 300, 9, 50256, 50256, 11, 2, 8, 50256]);
const logits = (m: GPTModel) => tf.tidy(() => lastTokenLogits(m, ids, 2, 5).dataSync().slice());

describe('classifier model directory', () => {
  it('saves GPT2ForSequenceClassification names and config, and loads to the same logits', async () => {
    const model = addClassificationHead(new GPTModel(TINY, { seed: 3 }), 2);
    model.out_head.bias!.assign(tf.tensor1d([0.5, -0.25]));
    model.eval();
    const want = logits(model);
    const { dir, cleanup } = makeTempDir();
    try {
      await saveClassifierDirectory(dir, model, { classes: ['not spam', 'spam'], maxLength: 5 });
      const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
      expect(config).toMatchObject({
        architectures: ['GPT2ForSequenceClassification'],
        model_type: 'gpt2',
        num_labels: 2,
        id2label: { 0: 'not spam', 1: 'spam' },
        n_embd: 32,
      });
      const header = fs.readFileSync(path.join(dir, 'model.safetensors'));
      const names = Object.keys(
        JSON.parse(header.subarray(8, 8 + Number(header.readBigUInt64LE(0))).toString()),
      );
      expect(names).toContain('score.weight');
      expect(names).toContain('transformer.h.1.attn.c_attn.weight');
      expect(names).not.toContain('lm_head.weight');
      const loaded = await loadClassifierDirectory(dir);
      expect(loaded.classes).toEqual(['not spam', 'spam']);
      expect(loaded.maxLength).toBe(5);
      expect(maxAbsDiff(logits(loaded.model), want)).toBeLessThan(1e-6);
      loaded.model.dispose();
      // a plain LM directory is not a classifier
      fs.writeFileSync(
        path.join(dir, 'config.json'),
        JSON.stringify({ ...config, architectures: ['GPT2LMHeadModel'] }),
      );
      await expect(loadClassifierDirectory(dir)).rejects.toThrowError(ModelSetupError);
    } finally {
      cleanup();
      model.dispose();
    }
  });

  it('with LoRA keeps the base apart and merges the adapters on load', async () => {
    const model = addClassificationHead(new GPTModel(TINY, { seed: 4 }), 3);
    replaceLinearWithLora(model, 2, 4);
    for (const [, l] of findLoraLayers(model))
      for (const a of l.loras) a.B.assign(tf.randomNormal(a.B.shape, 0, 0.2, 'float32', 5));
    model.eval();
    const want = logits(model);
    const { dir, cleanup } = makeTempDir();
    try {
      await saveClassifierDirectory(dir, model, { classes: ['a', 'b', 'c'] });
      expect(fs.existsSync(path.join(dir, 'adapter_model.safetensors'))).toBe(true);
      const loaded = await loadClassifierDirectory(dir);
      expect(findLoraLayers(loaded.model)).toEqual([]);
      expect(maxAbsDiff(logits(loaded.model), want)).toBeLessThan(1e-5);
      loaded.model.dispose();
    } finally {
      cleanup();
      model.dispose();
    }
  });
});

describe('downloadSpamData', () => {
  let server: http.Server;
  let base = '';
  const zip = zipSync({ SMSSpamCollection: strToU8('ham\thi\nspam\tWIN\n') });
  const hits: string[] = [];
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url === '/backup/sms+spam+collection.zip')
        res.writeHead(200, { 'content-length': zip.length }).end(Buffer.from(zip));
      else res.writeHead(404).end('not found');
    });
    server.setTimeout(10_000);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('falls back to the backup URL, caches the zip, and reads it', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const urls = [`${base}/primary/sms+spam+collection.zip`, `${base}/backup/sms+spam+collection.zip`];
      const file = await downloadSpamData({ cacheDir: dir, urls, retries: 0, retryDelayMs: 1 });
      expect(file.startsWith(dir)).toBe(true);
      expect(await readSpamData(file)).toEqual([
        { label: 0, text: 'hi' },
        { label: 1, text: 'WIN' },
      ]);
      const n = hits.length;
      expect(await downloadSpamData({ cacheDir: dir, urls })).toBe(file);
      expect(hits.length).toBe(n); // cached: no request
      expect(await downloadSpamData({ cacheDir: dir, urls, offline: true })).toBe(file);
    } finally {
      cleanup();
    }
  });

  it('offline without a cached copy: a DownloadError, and no request', async () => {
    const { dir, cleanup } = makeTempDir();
    try {
      const n = hits.length;
      const urls = [`${base}/backup/sms+spam+collection.zip`];
      await expect(downloadSpamData({ cacheDir: dir, urls, offline: true })).rejects.toThrow(
        /SMS Spam Collection is not in the cache at .* and offline mode is on$/,
      );
      expect(hits.length).toBe(n);
    } finally {
      cleanup();
    }
  });
});
