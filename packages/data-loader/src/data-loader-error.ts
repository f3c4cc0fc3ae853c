// Typed errors of @llmfs/data-loader: every message is one line that says which option or file to change.

/** Bad input to a dataset, loader, split or token file (too few tokens, bad stride, empty text, ...). */
export class DataLoaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A vocabulary whose ids do not fit in the uint16 token-file format (ids above 65535). */
export class VocabularyTooLargeError extends DataLoaderError {
  constructor(
    readonly vocabSize: number,
    what: string,
  ) {
    super(
      `${what}: vocabulary of ${vocabSize} tokens does not fit uint16 token files (ids must be <= 65535); use a vocabulary of at most 65536 tokens`,
    );
  }
}
