// The book's evaluation line, formatted in this one place for every training command and the demo:
// `Ep 1 (Step 000005): Train loss 9.781, Val loss 9.933`. Epochs count from 1 and steps from 0, as the
// book prints them (its f"Ep {epoch+1} (Step {global_step:06d})").

/** One evaluation: 1-based epoch, 0-based global step, the two losses (val NaN when there is none). */
export interface EvalLineFields {
  epoch: number;
  step: number;
  trainLoss: number;
  valLoss: number;
}

/** The book's line; without a validation split there is no val loss to show. */
export function formatEvalLine(e: EvalLineFields): string {
  const head = `Ep ${e.epoch} (Step ${String(e.step).padStart(6, '0')}): Train loss ${e.trainLoss.toFixed(3)}`;
  return Number.isFinite(e.valLoss) ? `${head}, Val loss ${e.valLoss.toFixed(3)}` : head;
}
