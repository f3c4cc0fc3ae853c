// train_model_simple (book ch05): the book's signature on top of Trainer, printing as the book does.
import type { AdamW } from './adamw.js';
import { formatEvalLine } from './format-eval-line.js';
import { Trainer } from './trainer.js';
import type { LoaderLike, TokenizerLike, TrainableModel } from './types.js';

/** What {@link trainModelSimple} returns: the book's train_losses, val_losses, track_tokens_seen. */
export interface TrainModelSimpleResult {
  trainLosses: number[];
  valLosses: number[];
  tokensSeen: number[];
}

/**
 * The book's train_model_simple: numEpochs over trainLoader, evaluation every evalFreq steps on
 * evalIter batches, a 50-token greedy sample of startContext after each epoch. Lines go to `log`.
 */
export async function trainModelSimple(
  model: TrainableModel,
  trainLoader: LoaderLike,
  valLoader: LoaderLike,
  optimizer: AdamW,
  numEpochs: number,
  evalFreq: number,
  evalIter: number,
  startContext: string,
  tokenizer: TokenizerLike,
  opts: { log?: (line: string) => void; contextSize?: number } = {},
): Promise<TrainModelSimpleResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader,
    valLoader,
    numEpochs,
    evalFreq,
    evalIter,
    startContext,
    tokenizer,
    contextSize: opts.contextSize,
  });
  trainer.on('eval', (e) => log(formatEvalLine(e)));
  trainer.on('sample', (s) => log(s.text));
  const r = await trainer.run();
  return { trainLosses: r.trainLosses, valLosses: r.valLosses, tokensSeen: r.tokensSeen };
}
