// Chapter 7.7: generate a response for each entry (greedy, up to 256 new tokens, stop at 50256),
// extract it as the book does, and save instruction-data-with-response.json (key model_response).
import { generate, type GPTModel } from '@llmfs/gpt-model';
import { extractResponse } from './extract-response.js';
import { formatInput } from './format-input.js';
import type { InstructionEntry } from './instruction-data.js';
import { END_OF_TEXT_ID, type TextTokenizer } from './tokenizer.js';

/** Options of generateResponse (the book: 256 new tokens, eos 50256, greedy). */
export interface ResponseOptions {
  maxNewTokens?: number;
  eosId?: number;
  temperature?: number;
  topK?: number;
  seed?: number;
  /** Called with each new token id as it is produced (streaming). */
  onToken?: (id: number) => void;
}

/** The model's response to one entry: generate from formatInput(entry), then extractResponse. */
export async function generateResponse(
  model: GPTModel,
  tokenizer: TextTokenizer,
  entry: { instruction: string; input?: string },
  opts: ResponseOptions = {},
): Promise<string> {
  const inputText = formatInput(entry);
  const eosId = opts.eosId ?? END_OF_TEXT_ID;
  const [ids] = await generate(model, {
    idx: [tokenizer.encode(inputText)],
    maxNewTokens: opts.maxNewTokens ?? 256,
    contextSize: model.cfg.contextLength,
    temperature: opts.temperature ?? 0,
    topK: opts.topK,
    seed: opts.seed,
    eosId,
    onToken: opts.onToken && ((id) => opts.onToken!(id)),
  });
  const kept = ids.length > 0 && ids[ids.length - 1] === eosId ? ids.slice(0, -1) : ids;
  return extractResponse(tokenizer.decode(kept), inputText);
}

/** Adds `model_response` to every entry (the book's loop over test_data). */
export async function generateResponses(
  model: GPTModel,
  tokenizer: TextTokenizer,
  entries: readonly InstructionEntry[],
  opts: ResponseOptions & { onResponse?: (index: number, entry: InstructionEntry) => void } = {},
): Promise<InstructionEntry[]> {
  const out: InstructionEntry[] = [];
  for (let i = 0; i < entries.length; i++) {
    const entry = {
      ...entries[i],
      model_response: await generateResponse(model, tokenizer, entries[i], opts),
    };
    out.push(entry);
    opts.onResponse?.(i, entry);
  }
  return out;
}

/** Writes entries with responses as the book does (JSON, indent 4) (Node only). */
export async function saveResponses(path: string, entries: readonly InstructionEntry[]): Promise<void> {
  const fs = await import('node:fs/promises');
  const { dirname } = await import('node:path');
  // its folder is created, and the file appears whole or not at all (temporary file, then rename)
  await fs.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await fs.writeFile(tmp, JSON.stringify(entries, null, 4) + '\n');
  await fs.rename(tmp, path);
}
