// What `llmfs pretrain` shows while it trains: a progress bar with loss and ETA on a terminal, plain
// lines (one per evaluation, the book's format) otherwise.
import cliProgress from 'cli-progress';
import { formatEvalLine as evalLine, type Trainer } from '@llmfs/trainer';

/** Attaches the progress display to `trainer`; returns a function that closes it. */
export function attachProgress(
  trainer: Trainer,
  opts: { tty: boolean; total: number; write: (line: string) => void },
): () => void {
  const { write } = opts;
  if (!opts.tty) {
    trainer.on('eval', (e) => write(evalLine(e)));
    trainer.on('sample', (s) => write(s.text));
    trainer.on('checkpoint', (c) => write(`checkpoint: ${c.dir}`));
    return () => undefined;
  }
  const multi = new cliProgress.MultiBar(
    {
      format:
        ' {bar} {value}/{total} steps | epoch {epoch} | loss {loss} | {tokens} tok | {stepMs} ms/step | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multi.create(opts.total, trainer.step, {
    epoch: trainer.epoch + 1,
    loss: '-',
    tokens: trainer.tokensSeen,
    stepMs: '-',
  });
  const log = (line: string) => multi.log(line + '\n');
  trainer.on('step', (e) =>
    bar.update(e.step + 1, {
      epoch: e.epoch,
      loss: e.loss.toFixed(3),
      tokens: e.tokensSeen,
      stepMs: Math.round(e.stepMs),
    }),
  );
  trainer.on('eval', (e) => log(evalLine(e)));
  trainer.on('sample', (s) => log(s.text));
  return () => multi.stop();
}
