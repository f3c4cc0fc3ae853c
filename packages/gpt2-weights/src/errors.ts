// Typed errors of @llmfs/gpt2-weights: each names the file, tensor or URL it is about, in one line.

/** A safetensors file breaks a format rule (header, dtype, offsets, sizes). */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

/** A TensorFlow checkpoint (tensor bundle) is malformed, corrupt or unsupported. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Weights do not fit the model: a tensor is missing, misshapen or unexpected. */
export class WeightMappingError extends Error {
  override name = 'WeightMappingError';
}

/** A download failed (HTTP status, size or sha256 mismatch, offline without a cached copy). */
export class DownloadError extends Error {
  override name = 'DownloadError';
}
