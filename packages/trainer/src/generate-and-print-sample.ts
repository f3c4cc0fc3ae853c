// The book's generate_and_print_sample (ch05): a greedy continuation of a start context after each
// epoch. A GPTModel decodes with its KV cache (one position per new token); other models run the
// book's generate_text_simple loop.
import { type GPTModel, generate } from '@llmfs/gpt-model';
import { generateSampleAsync } from './generate-sample.js';
import type { TokenizerLike, TrainableModel } from './types.js';

/** Options of {@link generateAndPrintSample}. */
export interface SampleOptions {
  /** New tokens (the book: 50). */
  maxNewTokens?: number;
  /** Tokens the model sees (default: the model's context length). */
  contextSize?: number;
  /** Where the line goes (default console.log); the text is also returned. */
  print?: (line: string) => void;
}

const hasCache = (m: TrainableModel): m is TrainableModel & GPTModel =>
  typeof (m as Partial<GPTModel>).createCache === 'function' && (m as Partial<GPTModel>).cfg !== undefined;

/**
 * Greedy decoding of `startContext` in eval mode (the model's mode is restored); prints and returns the
 * whole text with newlines as spaces, as the book prints it.
 */
export async function generateAndPrintSample(
  model: TrainableModel,
  tokenizer: TokenizerLike,
  startContext: string,
  opts: SampleOptions = {},
): Promise<string> {
  const maxNewTokens = opts.maxNewTokens ?? 50;
  let text: string;
  if (hasCache(model)) {
    const ids = tokenizer.encode(startContext, { allowedSpecial: ['<|endoftext|>'] });
    const [row] = await generate(model, { idx: [ids], maxNewTokens, contextSize: opts.contextSize });
    text = tokenizer.decode(row).replace(/\n/g, ' ');
  } else {
    const ctx = opts.contextSize ?? 1024;
    text = await generateSampleAsync(model, tokenizer, startContext, ctx, maxNewTokens);
  }
  (opts.print ?? ((line: string) => console.log(line)))(text);
  return text;
}
