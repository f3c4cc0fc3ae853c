// Typed errors of @llmfs/gpt-model.

/** Base class of @llmfs/gpt-model errors. */
export class GPTModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad model input: token ids out of range, wrong dtype or shape, or a context too long for a cache. */
export class ModelInputError extends GPTModelError {}

/** Unknown configuration name or an inconsistent configuration. */
export class ConfigError extends GPTModelError {}
