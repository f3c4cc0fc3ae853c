// calc_loss_loader (book ch05): mean batch loss over the first numBatches batches of a loader.
import { calcLossBatch } from './calc-loss-batch.js';
import type { BatchLike, LossBatch, TrainableModel } from './types.js';

/**
 * Mean of the per-batch losses over the first `numBatches` batches (all when omitted; capped at
 * the loader's length). NaN for an empty loader, as the book. Runs without gradients.
 */
export async function calcLossLoader<B = BatchLike>(
  loader: Iterable<B> & { length?: number },
  model: Pick<TrainableModel, 'forward'>,
  numBatches?: number,
  opts: { ignoreIndex?: number; lossBatch?: LossBatch<B> } = {},
): Promise<number> {
  const lossOf =
    opts.lossBatch ?? ((b: B, m: typeof model) => calcLossBatch(b as unknown as BatchLike, m, opts));
  const len = loader.length ?? [...loader].length;
  if (len === 0) return NaN;
  const n = numBatches === undefined ? len : Math.min(numBatches, len);
  let total = 0;
  let i = 0;
  for (const batch of loader) {
    if (i >= n) break;
    const loss = lossOf(batch, model);
    total += (await loss.data())[0];
    loss.dispose();
    i++;
  }
  return total / n;
}
