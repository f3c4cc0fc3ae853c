// One Ctrl-C handler for every training command (pretrain, finetune classify, finetune instruct): the
// first Ctrl-C asks the trainer to stop after the current step (it then saves what the command saves),
// a second one quits at once with exit code 130.

/** Installs the handler; the returned function removes it and tells whether Ctrl-C was pressed. */
export function onInterrupt(stop: () => void, what = 'stopping after this step'): () => boolean {
  let presses = 0;
  const handler = () => {
    presses++;
    if (presses > 1) process.exit(130);
    process.stderr.write(`\nllmfs: ${what} (Ctrl-C again to quit now)\n`);
    stop();
  };
  process.on('SIGINT', handler);
  return () => {
    process.off('SIGINT', handler);
    return presses > 0;
  };
}
