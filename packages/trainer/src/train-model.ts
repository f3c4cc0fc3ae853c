// The book's train_model (appendix D): train_model_simple plus linear warmup, cosine decay and
// global-norm gradient clipping (max norm 1.0 once warmup is over), on the same Trainer.
import type { AdamW } from './adamw.js';
import { formatEvalLine } from './format-eval-line.js';
import { Trainer } from './trainer.js';
import type { LoaderLike, TokenizerLike, TrainableModel } from './types.js';

/** The settings of {@link trainModel} after the loaders (the book's keyword arguments). */
export interface TrainModelOptions {
  nEpochs: number;
  evalFreq: number;
  evalIter: number;
  startContext: string;
  tokenizer: TokenizerLike;
  warmupSteps: number;
  /** The book's defaults: 3e-5 and 1e-6. The peak is the optimizer's lr. */
  initialLr?: number;
  minLr?: number;
  log?: (line: string) => void;
}

/** The book's four lists: losses at each evaluation, tokens seen then, and the lr of every step. */
export interface TrainModelResult {
  trainLosses: number[];
  valLosses: number[];
  trackTokensSeen: number[];
  trackLrs: number[];
}

/** Appendix D's train_model. */
export async function trainModel(
  model: TrainableModel,
  trainLoader: LoaderLike,
  valLoader: LoaderLike,
  optimizer: AdamW,
  o: TrainModelOptions,
): Promise<TrainModelResult> {
  const log = o.log ?? ((line: string) => console.log(line));
  const peakLr = optimizer.lr;
  const trainer = new Trainer({
    model,
    optimizer,
    trainLoader,
    valLoader,
    numEpochs: o.nEpochs,
    evalFreq: o.evalFreq,
    evalIter: o.evalIter,
    startContext: o.startContext,
    tokenizer: o.tokenizer,
    schedule: { peakLr, initialLr: o.initialLr ?? 3e-5, minLr: o.minLr ?? 1e-6, warmupSteps: o.warmupSteps },
    gradClip: { maxNorm: 1.0, fromStep: o.warmupSteps },
  });
  const trackLrs: number[] = [];
  trainer.on('step', (e) => trackLrs.push(e.lr));
  trainer.on('eval', (e) => log(formatEvalLine(e)));
  trainer.on('sample', (s) => log(s.text));
  const r = await trainer.run();
  return { trainLosses: r.trainLosses, valLosses: r.valLosses, trackTokensSeen: r.tokensSeen, trackLrs };
}
