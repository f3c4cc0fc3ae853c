// Typed errors of @llmfs/gpt2-weights: each names the file, tensor or URL it is about, in one line.

/** Base class of every error thrown by @llmfs/gpt2-weights. */
export class GPT2WeightsError extends Error {
  override name = 'GPT2WeightsError';
}

/** A safetensors file breaks a format rule (header, dtype, offsets, sizes). */
export class SafetensorsError extends GPT2WeightsError {
  override name = 'SafetensorsError';
}

/** A TensorFlow checkpoint (tensor bundle) is malformed, corrupt or unsupported. */
export class CheckpointError extends GPT2WeightsError {
  override name = 'CheckpointError';
}

/** Weights do not fit the model: a tensor is missing, misshapen or unexpected. */
export class WeightMappingError extends GPT2WeightsError {
  override name = 'WeightMappingError';
}

/** A download failed (HTTP status, size or sha256 mismatch, offline without a cached copy). */
export class DownloadError extends GPT2WeightsError {
  override name = 'DownloadError';
}

/** An output path that would overwrite the input it is made from (convert into its own source). */
export class OutputPathError extends GPT2WeightsError {
  override name = 'OutputPathError';
}

/** A lock file held by another live process (or by one that cannot be checked: another host). */
export class LockHeldError extends GPT2WeightsError {
  override name = 'LockHeldError';
  constructor(
    readonly lockPath: string,
    readonly owner: { pid: number; hostname: string; startedAt: string; command?: string } | undefined,
  ) {
    super(
      owner
        ? `${lockPath}: held by pid ${owner.pid} on ${owner.hostname} since ${owner.startedAt}${owner.command ? ` (${owner.command})` : ''}`
        : `${lockPath}: a lock file without a readable owner; delete it if no other process uses it`,
    );
  }
}
