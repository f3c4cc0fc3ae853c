// The tokenizer the finetuning code takes as an argument, as the book passes `tokenizer` around
// (ch06 SpamDataset, ch07 InstructionDataset). @llmfs/bpe-tokenizer's Encoding fits it.

/** What finetuning needs from a tokenizer (GPT-2's `getEncoding('gpt2')` satisfies it). */
export interface TextTokenizer {
  encode(text: string, opts?: { allowedSpecial?: 'all' | string[] }): number[];
  decode(ids: ArrayLike<number>): string;
}

/** GPT-2's `<|endoftext|>` id, the padding and end-of-text token of chapters 6 and 7. */
export const END_OF_TEXT_ID = 50256;
