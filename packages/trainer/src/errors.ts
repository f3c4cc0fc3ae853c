// Typed errors of @llmfs/trainer: one-line messages that name the step, tensor, file or option.

/** Base class of every error thrown by @llmfs/trainer. */
export class TrainerError extends Error {
  override name = 'TrainerError';
}

/** A loss or gradient norm that is NaN or infinite; thrown before the update of that step. */
export class NonFiniteLossError extends TrainerError {
  override name = 'NonFiniteLossError';
  constructor(
    readonly step: number,
    readonly what: 'loss' | 'gradient norm',
    readonly value: number,
  ) {
    super(`step ${step}: ${what} is ${value}; stopped before the update (the last good checkpoint is kept)`);
  }
}

/** A checkpoint directory that is missing, incomplete or does not match the run. */
export class TrainerCheckpointError extends TrainerError {
  override name = 'TrainerCheckpointError';
}
