// generate (book section 5.3, plus a KV cache and streaming): temperature, top-k, top-p, eos id, seed.
// With the cache, the prompt is run once and each new token costs one position; once the sequence is
// longer than the context, positions shift, so it falls back to recomputing the cropped window
// (exactly what the uncached path does).
import * as tf from '@tensorflow/tfjs';
import { Rng } from '@llmfs/nn';
import { ModelInputError } from './errors.js';
import type { GPTCache } from './gpt-cache.js';
import type { GPTModel } from './gpt-model.js';
import { sampleNextToken } from './sampling.js';

/** Options of `generate` / `generateStream`. */
export interface GenerateOptions {
  /** Prompt rows (equal lengths). */
  idx: number[][];
  maxNewTokens: number;
  /** Tokens the model sees (default and maximum: the model's context length). */
  contextSize?: number;
  /** 0 (default) = greedy. */
  temperature?: number;
  topK?: number;
  topP?: number;
  /** Stop a row when it produces this id (the id is not appended, as the book). */
  eosId?: number;
  /** Seed of the sampling draws (default: random). */
  seed?: number;
  /** Use the KV cache (default true). */
  useCache?: boolean;
  /** Called with each new id (and its row) as soon as it is chosen. */
  onToken?: (id: number, row: number) => void;
}

/** One step's new ids: ids[b] for each row still running (undefined for finished rows). */
async function* steps(model: GPTModel, opts: GenerateOptions): AsyncGenerator<Array<number | undefined>> {
  const { idx } = opts;
  if (idx.length === 0 || idx.some((r) => r.length !== idx[0].length || r.length === 0)) {
    throw new ModelInputError('generate: idx must be non-empty rows of equal length');
  }
  const ctx = Math.max(1, Math.min(opts.contextSize ?? model.cfg.contextLength, model.cfg.contextLength));
  const rng = new Rng(opts.seed ?? Math.floor(Math.random() * 2 ** 32));
  const rows = idx.map((r) => [...r]);
  const done = rows.map(() => false);
  const v = model.cfg.vocabSize;
  const wasTraining = model.training;
  model.eval();
  let cache: GPTCache | undefined = (opts.useCache ?? true) ? model.createCache() : undefined;
  try {
    for (let s = 0; s < opts.maxNewTokens; s++) {
      let input: number[][];
      if (cache && cache.length > 0 && cache.length + 1 <= ctx) {
        input = rows.map((r) => r.slice(-1)); // only the newest token; earlier ones are cached
      } else {
        if (cache && cache.length > 0) {
          // The window slides from here on: positions shift, the cache cannot be reused.
          cache.dispose();
          cache = undefined;
        }
        input = rows.map((r) => r.slice(-ctx));
      }
      const ids = tf.tensor2d(input, [input.length, input[0].length], 'int32');
      let logits: tf.Tensor;
      try {
        logits = model.forward(ids as tf.Tensor2D, { cache, lastOnly: true }); // (B, 1, V)
      } finally {
        ids.dispose();
      }
      const data = await logits.data();
      logits.dispose();
      const out: Array<number | undefined> = [];
      rows.forEach((r, b) => {
        if (done[b]) {
          r.push(opts.eosId ?? 0); // keeps rows rectangular for the model; not reported
          out.push(undefined);
          return;
        }
        const id = sampleNextToken(data.subarray(b * v, (b + 1) * v), opts, rng);
        r.push(id);
        if (opts.eosId !== undefined && id === opts.eosId) {
          done[b] = true;
          out.push(undefined);
        } else out.push(id);
      });
      yield out;
      if (done.every(Boolean)) break;
    }
  } finally {
    cache?.dispose();
    model.train(wasTraining);
  }
}

/** Generates up to `maxNewTokens` per row; returns the rows, prompt included (eos not appended). */
export async function generate(model: GPTModel, opts: GenerateOptions): Promise<number[][]> {
  const result = opts.idx.map((r) => [...r]);
  for await (const ids of steps(model, opts)) {
    ids.forEach((id, b) => {
      if (id === undefined) return;
      result[b].push(id);
      opts.onToken?.(id, b);
    });
  }
  return result;
}

/** Streams the new ids of a single-row prompt as they are chosen. */
export async function* generateStream(model: GPTModel, opts: GenerateOptions): AsyncIterableIterator<number> {
  if (opts.idx.length !== 1)
    throw new ModelInputError(`generateStream: expects one prompt row, got ${opts.idx.length}`);
  for await (const ids of steps(model, opts)) {
    const id = ids[0];
    if (id === undefined) return;
    opts.onToken?.(id, 0);
    yield id;
  }
}
