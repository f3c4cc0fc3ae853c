import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { JudgeResponseError, JudgeUnavailableError } from './errors.js';
import { chatUrl, generateModelScores, judgePrompt, queryModel } from './ollama-judge.js';

/** A loopback server speaking Ollama's /api/chat: streams the reply in NDJSON pieces. */
let server: http.Server;
let base = '';
const seen: any[] = [];
const replies: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/api/chat') {
        res.writeHead(404).end('404 page not found');
        return;
      }
      const json = JSON.parse(body);
      seen.push(json);
      if (json.model !== 'llama3') {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: `model "${json.model}" not found, try pulling it first` }));
        return;
      }
      const reply = replies.shift() ?? '50';
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      // one streamed line per character, then the final done line, as Ollama does
      for (const ch of reply)
        res.write(
          JSON.stringify({ model: 'llama3', message: { role: 'assistant', content: ch }, done: false }) +
            '\n',
        );
      res.end(
        JSON.stringify({ model: 'llama3', message: { role: 'assistant', content: '' }, done: true }) + '\n',
      );
    });
  });
  server.setTimeout(10_000);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

const entry = {
  instruction: 'Rewrite the sentence using a simile.',
  input: 'The car is very fast.',
  output: 'The car is as fast as lightning.',
  model_response: 'The car is as fast as a bullet.',
};

describe('Ollama judge client (chapter 7.8)', () => {
  it("builds the book's prompt", () => {
    expect(judgePrompt(entry)).toBe(
      'Given the input `Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n' +
        '### Instruction:\nRewrite the sentence using a simile.\n\n### Input:\nThe car is very fast.` ' +
        'and correct output `The car is as fast as lightning.`, score the model response `The car is as fast as a bullet.` ' +
        'on a scale from 0 to 100, where 100 is the best score. Respond with the integer number only.',
    );
  });

  it("posts the book's request and joins the streamed reply", async () => {
    replies.push('Hello there');
    expect(await queryModel('What do llamas eat?', { url: base })).toBe('Hello there');
    expect(seen.at(-1)).toEqual({
      model: 'llama3',
      messages: [{ role: 'user', content: 'What do llamas eat?' }],
      options: { seed: 123, temperature: 0, num_ctx: 2048 },
    });
    expect(chatUrl(`${base}/api/chat/`)).toBe(`${base}/api/chat`);
  });

  it('scores entries, skips replies that are not integers, and averages', async () => {
    replies.push('85', ' 40\n', 'Score: 99');
    const got: Array<number | undefined> = [];
    const result = await generateModelScores([entry, entry, entry], {
      url: base,
      onScore: (_i, s) => got.push(s),
    });
    expect(result.scores).toEqual([85, 40]);
    expect(result.failed).toEqual([{ index: 2, reply: 'Score: 99' }]);
    expect(result.average).toBe(62.5);
    expect(got).toEqual([85, 40, undefined]);
    expect(seen.at(-1).messages[0].content).toBe(judgePrompt(entry));
  });

  it("reports a missing model with the server's message", async () => {
    await expect(queryModel('x', { url: base, model: 'nope' })).rejects.toThrowError(JudgeResponseError);
    await expect(queryModel('x', { url: base, model: 'nope' })).rejects.toThrowError(
      /HTTP 404: model "nope" not found/,
    );
  });

  it('says clearly when no judge server runs', async () => {
    // a port that was just free: bind, read the port, close
    const tmp = http.createServer();
    await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
    const port = (tmp.address() as AddressInfo).port;
    await new Promise((r) => tmp.close(r));
    const url = `http://127.0.0.1:${port}`;
    await expect(queryModel('x', { url, timeoutMs: 5000 })).rejects.toThrowError(JudgeUnavailableError);
    await expect(queryModel('x', { url, timeoutMs: 5000 })).rejects.toThrowError(
      /no judge server answered at http:\/\/127\.0\.0\.1:\d+\/api\/chat \(ECONNREFUSED\)/,
    );
  });
});
