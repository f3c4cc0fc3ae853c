// Typed errors of @llmfs/finetune: each message is one line naming the file, line, flag or tensor.

/** Base class of every error thrown by @llmfs/finetune. */
export class FinetuneError extends Error {
  override name = 'FinetuneError';
}

/** A malformed data file: a TSV row or a JSON entry, named by file and line. */
export class DataFormatError extends FinetuneError {
  override name = 'DataFormatError';
  constructor(
    readonly source: string,
    readonly line: number,
    what: string,
  ) {
    super(`${source}:${line}: ${what}`);
  }
}

/** No judge server answered at the URL (Ollama not running, wrong port). */
export class JudgeUnavailableError extends FinetuneError {
  override name = 'JudgeUnavailableError';
}

/** The judge server answered, but not as the Ollama chat API does. */
export class JudgeResponseError extends FinetuneError {
  override name = 'JudgeResponseError';
}

/** A model directory or option that does not fit a classification / LoRA setup. */
export class ModelSetupError extends FinetuneError {
  override name = 'ModelSetupError';
}
