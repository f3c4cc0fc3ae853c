// Typed errors of @llmfs/bpe-tokenizer: one-line messages that name the token, id or file at fault.

/** Base class of every error this package throws. */
export class TokenizerError extends Error {
  override name = 'TokenizerError';
}

/** The text holds a special token (e.g. `<|endoftext|>`) that the caller did not allow. */
export class DisallowedSpecialTokenError extends TokenizerError {
  override name = 'DisallowedSpecialTokenError';
  constructor(
    readonly token: string,
    readonly index: number,
  ) {
    super(
      `the text contains the special token '${token}' at index ${index}; pass { allowedSpecial: ['${token}'] } ` +
        `(or 'all') to encode it as one special token, or { disallowedSpecial: [] } to encode it as plain text`,
    );
  }
}

/** A token id (or a word, for the simple tokenizers) that the vocabulary does not hold. */
export class UnknownTokenIdError extends TokenizerError {
  override name = 'UnknownTokenIdError';
  constructor(
    readonly id: number | string,
    readonly vocabName: string,
  ) {
    super(`unknown token ${typeof id === 'number' ? `id ${id}` : `'${id}'`} for the ${vocabName} vocabulary`);
  }
}
