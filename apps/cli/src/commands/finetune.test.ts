// End-to-end runs of the finetuning commands on fixtures (gpt-tiny, synthetic spam, a loopback judge).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { fixturePath, makeTempDir, readFixtureJson } from '@llmfs/testing';
import { register } from './finetune.js';

const TINY_MODEL = fixturePath('gpt-tiny', 'hf');

/** Runs `llmfs <args>` in-process; returns what went to stdout. */
async function run(...args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  register(program);
  let out = '';
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += a.join(' ') + '\n';
  });
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    await program.parseAsync([
      'node',
      'llmfs',
      ...args,
      ...(args[0] === 'evaluate' ? [] : ['--backend', 'wasm']),
    ]);
  } finally {
    write.mockRestore();
    log.mockRestore();
    err.mockRestore();
  }
  return out;
}

let tmp: { dir: string; cleanup: () => void };
beforeAll(() => {
  tmp = makeTempDir('llmfs-cli-finetune-');
});
afterAll(() => tmp.cleanup());

describe('llmfs finetune classify / classify', () => {
  it('trains on a TSV, saves the classifier, prints accuracies; classify prints label and probability', async () => {
    const ham = ['see', 'you', 'at', 'home', 'later', 'mum', 'dinner', 'ok'];
    const spam = ['WIN', 'cash', 'prize', 'call', 'now', 'FREE', 'claim', 'txt'];
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) {
      const words = i % 4 === 0 ? spam : ham;
      lines.push(
        `${i % 4 === 0 ? 'spam' : 'ham'}\t${Array.from({ length: 3 + (i % 5) }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ')}`,
      );
    }
    const tsv = path.join(tmp.dir, 'SMSSpamCollection');
    fs.writeFileSync(tsv, lines.join('\n'));
    const out = path.join(tmp.dir, 'clf');
    const res = JSON.parse(
      await run(
        'finetune',
        'classify',
        '--data',
        tsv,
        '--model',
        TINY_MODEL,
        '--out',
        out,
        '--epochs',
        '4',
        '--lr',
        '2e-3',
        '--eval-freq',
        '20',
        '--json',
      ),
    );
    expect(res.steps).toBe(4 * Math.floor(70 / 8)); // 50 spam + 50 ham -> 70 train rows
    for (const k of ['trainAccuracy', 'valAccuracy', 'testAccuracy'])
      expect(res[k]).toBeGreaterThanOrEqual(0);
    expect(res.testAccuracy).toBeGreaterThan(0.6);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).architectures).toEqual([
      'GPT2ForSequenceClassification',
    ]);
    const text = await run('classify', '--model', out, 'WIN FREE cash prize now');
    expect(text).toMatch(/^(ham|spam)\t(0\.\d{4}|1\.0000)\n$/);
    const j = JSON.parse(await run('classify', '--model', out, '--json', 'see you at home'));
    expect(j.probabilities.length).toBe(2);
    expect(j.probability).toBe(Math.max(...j.probabilities));
  });

  it('rejects --lora-alpha without --lora-rank', async () => {
    await expect(run('finetune', 'classify', '--data', 'x.tsv', '--lora-alpha', '4')).rejects.toThrowError(
      /--lora-alpha needs --lora-rank/,
    );
  });
});

describe('llmfs finetune instruct / respond / evaluate instruct', () => {
  let server: http.Server;
  let judge = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const prompt: string = JSON.parse(body).messages[0].content;
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write(
          JSON.stringify({
            message: { role: 'assistant', content: prompt.includes('Name a') ? '80' : '40' },
            done: false,
          }) + '\n',
        );
        res.end(JSON.stringify({ message: { role: 'assistant', content: '' }, done: true }) + '\n');
      });
    });
    server.setTimeout(10_000);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    judge = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('finetunes (LoRA), answers the test split, responds, and scores with the judge', async () => {
    const data = readFixtureJson<any[]>('data', 'instruction-data.json')
      .filter((e) => e.output.length < 40)
      .slice(0, 20);
    data[18] = { instruction: 'Name a colour.', input: '', output: 'Blue.' };
    const dataFile = path.join(tmp.dir, 'data.json');
    fs.writeFileSync(dataFile, JSON.stringify(data));
    const out = path.join(tmp.dir, 'sft');
    const responses = path.join(tmp.dir, 'responses.json');
    const res = JSON.parse(
      await run(
        'finetune',
        'instruct',
        '--data',
        dataFile,
        '--model',
        TINY_MODEL,
        '--out',
        out,
        '--batch-size',
        '4',
        '--max-steps',
        '3',
        '--eval-freq',
        '2',
        '--eval-iter',
        '1',
        '--max-new-tokens',
        '3',
        '--lora-rank',
        '2',
        '--responses-file',
        responses,
        '--json',
      ),
    );
    expect(res.steps).toBe(3);
    expect(res.trainLosses.length).toBe(2); // steps 0 and 2
    expect(fs.existsSync(path.join(out, 'adapter_model.safetensors'))).toBe(true);
    const saved = JSON.parse(fs.readFileSync(responses, 'utf8'));
    expect(saved.length).toBe(2); // 20 entries: test = entries 17 and 18
    expect(saved[1].instruction).toBe('Name a colour.');
    expect(typeof saved[0].model_response).toBe('string');
    const r = JSON.parse(
      await run('respond', '--model', out, 'Name a colour.', '--max-new-tokens', '3', '--json'),
    );
    expect(r.instruction).toBe('Name a colour.');
    expect(typeof r.response).toBe('string');
    const score = await run('evaluate', 'instruct', '--file', responses, '--judge-url', judge);
    expect(score.endsWith('Number of scores: 2 of 2\nAverage score: 60.00\n')).toBe(true);
  });

  it('says clearly when no judge server runs', async () => {
    const file = path.join(tmp.dir, 'one.json');
    fs.writeFileSync(
      file,
      JSON.stringify([{ instruction: 'a', input: '', output: 'b', model_response: 'c' }]),
    );
    const tmpServer = http.createServer();
    await new Promise<void>((r) => tmpServer.listen(0, '127.0.0.1', r));
    const port = (tmpServer.address() as AddressInfo).port;
    await new Promise((r) => tmpServer.close(r));
    await expect(
      run('evaluate', 'instruct', '--file', file, '--judge-url', `http://127.0.0.1:${port}`),
    ).rejects.toThrowError(
      /no judge server answered at http:\/\/127\.0\.0\.1:\d+\/api\/chat \(ECONNREFUSED\)/,
    );
    await expect(
      run('evaluate', 'instruct', '--file', path.join(tmp.dir, 'missing.json')),
    ).rejects.toThrowError(/cannot read it/);
  });
});
