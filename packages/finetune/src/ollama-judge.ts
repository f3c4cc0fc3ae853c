// Chapter 7.8: scoring responses with a larger LLM served by Ollama (POST /api/chat), with the book's
// prompt and options (seed 123, temperature 0, num_ctx 2048). Reads streamed (NDJSON) or single replies.
import { formatInput } from './format-input.js';
import type { InstructionEntry } from './instruction-data.js';
import { JudgeResponseError, JudgeUnavailableError } from './errors.js';

/** Where and how to ask the judge (defaults: the book's local Ollama llama3). */
export interface JudgeOptions {
  /** Server base URL (`http://localhost:11434`) or the full `/api/chat` URL. */
  url?: string;
  model?: string;
  seed?: number;
  temperature?: number;
  numCtx?: number;
  /** Per-request time limit in milliseconds (default 600000). */
  timeoutMs?: number;
}

/** The chat endpoint for a base URL or a full /api/chat URL. */
export function chatUrl(url = 'http://localhost:11434'): string {
  const u = url.replace(/\/+$/, '');
  return u.endsWith('/api/chat') ? u : `${u}/api/chat`;
}

/** The book's `query_model`: one user message, the reply's text (streamed pieces joined). */
export async function queryModel(prompt: string, opts: JudgeOptions = {}): Promise<string> {
  const url = chatUrl(opts.url);
  const model = opts.model ?? 'llama3';
  const body = {
    model,
    messages: [{ role: 'user', content: prompt }],
    options: { seed: opts.seed ?? 123, temperature: opts.temperature ?? 0, num_ctx: opts.numCtx ?? 2048 },
  };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 600_000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string; errors?: Array<{ code?: string }> } })
      .cause;
    const why = cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (err as Error).message;
    throw new JudgeUnavailableError(
      `no judge server answered at ${url} (${why}); start one with 'ollama serve' and 'ollama pull ${model}'`,
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let detail = text.trim().slice(0, 200);
    try {
      detail = (JSON.parse(text) as { error?: string }).error ?? detail;
    } catch {
      /* not JSON: keep the raw text */
    }
    throw new JudgeResponseError(`judge at ${url} answered HTTP ${res.status}: ${detail}`);
  }
  let reply = '';
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (!line.trim()) continue;
    let obj: { message?: { content?: string }; error?: string };
    try {
      obj = JSON.parse(line);
    } catch {
      throw new JudgeResponseError(`judge at ${url}: reply line ${lineNo} is not JSON`);
    }
    if (obj.error) throw new JudgeResponseError(`judge at ${url}: ${obj.error}`);
    if (obj.message && typeof obj.message.content === 'string') reply += obj.message.content;
  }
  return reply;
}

/** The book's judging prompt for one entry whose response sits under `jsonKey`. */
export function judgePrompt(entry: InstructionEntry, jsonKey = 'model_response'): string {
  const response = (entry as unknown as Record<string, unknown>)[jsonKey];
  return (
    `Given the input \`${formatInput(entry)}\` ` +
    `and correct output \`${entry.output}\`, ` +
    `score the model response \`${String(response ?? '')}\`` +
    ` on a scale from 0 to 100, where 100 is the best score. ` +
    `Respond with the integer number only.`
  );
}

/** Result of scoring: one score per entry that gave an integer, and the entries that did not. */
export interface ScoreResult {
  scores: number[];
  /** Indices of entries whose reply was not an integer (the book prints "Could not convert score"). */
  failed: Array<{ index: number; reply: string }>;
  average: number;
}

/** The book's `generate_model_scores`: asks the judge for each entry, keeps the replies that are integers. */
export async function generateModelScores(
  entries: readonly InstructionEntry[],
  opts: JudgeOptions & {
    jsonKey?: string;
    onScore?: (index: number, score: number | undefined, reply: string) => void;
  } = {},
): Promise<ScoreResult> {
  const scores: number[] = [];
  const failed: ScoreResult['failed'] = [];
  for (let i = 0; i < entries.length; i++) {
    const reply = await queryModel(judgePrompt(entries[i], opts.jsonKey), opts);
    const t = reply.trim();
    const score = /^[-+]?\d+$/.test(t) ? Number.parseInt(t, 10) : undefined;
    if (score === undefined) failed.push({ index: i, reply });
    else scores.push(score);
    opts.onScore?.(i, score, reply);
  }
  const average = scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : Number.NaN;
  return { scores, failed, average };
}
