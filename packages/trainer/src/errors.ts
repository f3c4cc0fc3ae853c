// Typed errors of @llmfs/trainer: one-line messages that name the step, tensor, file or option.

/** Base class of every error thrown by @llmfs/trainer. */
export class TrainerError extends Error {
  override name = 'TrainerError';
}

/** A loss, gradient norm or evaluation loss that is NaN or infinite; a step's is thrown before its update. */
export class NonFiniteLossError extends TrainerError {
  override name = 'NonFiniteLossError';
  constructor(
    readonly step: number,
    readonly what: 'loss' | 'gradient norm' | 'training evaluation loss' | 'validation loss',
    readonly value: number,
  ) {
    super(
      `step ${step}: ${what} is ${value}; stopped${what === 'loss' || what === 'gradient norm' ? ' before the update' : ''} (the last good checkpoint is kept)`,
    );
  }
}

/** A checkpoint directory that is missing, incomplete or does not match the run. */
export class TrainerCheckpointError extends TrainerError {
  override name = 'TrainerCheckpointError';
}
