// The book's evaluate_model (ch05, reused in ch06/07): the mean loss over evalIter batches of the
// training and the validation loader, in eval mode (dropout off, no gradients), then back to training.
import { calcLossLoader } from './calc-loss-loader.js';
import type { BatchLike, LossBatch, TrainableModel } from './types.js';

/** What {@link evaluateModel} returns (valLoss NaN without a validation loader). */
export interface EvalLosses {
  trainLoss: number;
  valLoss: number;
}

/** Train and validation loss on `evalIter` batches of each loader; the model ends in training mode. */
export async function evaluateModel<B = BatchLike>(
  model: Pick<TrainableModel, 'forward' | 'train' | 'eval'>,
  trainLoader: Iterable<B> & { length?: number },
  valLoader: (Iterable<B> & { length?: number }) | undefined,
  evalIter: number,
  opts: { ignoreIndex?: number; lossBatch?: LossBatch<B> } = {},
): Promise<EvalLosses> {
  model.eval();
  try {
    const trainLoss = await calcLossLoader(trainLoader, model, evalIter, opts);
    const valLoss = valLoader ? await calcLossLoader(valLoader, model, evalIter, opts) : NaN;
    return { trainLoss, valLoss };
  } finally {
    model.train(); // nn releases the packed weights the evaluation made (Module.train)
  }
}
