// Chapter 7.3: InstructionDataset pre-tokenizes prompt + response of every entry once.
import { formatInput, formatResponse } from './format-input.js';
import type { InstructionEntry } from './instruction-data.js';
import type { TextTokenizer } from './tokenizer.js';

/** One tokenized example: all ids, and how many of them are the prompt (for optional masking). */
export interface EncodedInstruction {
  ids: number[];
  promptLength: number;
}

/** The book's InstructionDataset: `encodedTexts[i]` = ids of formatInput(entry) + "\n\n### Response:\n" + output. */
export class InstructionDataset {
  readonly encodedTexts: number[][];
  readonly promptLengths: number[];

  constructor(
    readonly data: readonly InstructionEntry[],
    tokenizer: TextTokenizer,
  ) {
    this.encodedTexts = [];
    this.promptLengths = [];
    for (const entry of data) {
      const prompt = formatInput(entry);
      this.encodedTexts.push(tokenizer.encode(prompt + formatResponse(entry.output)));
      this.promptLengths.push(tokenizer.encode(prompt).length);
    }
  }

  get length(): number {
    return this.encodedTexts.length;
  }

  /** Item `i` with its prompt length. */
  get(i: number): EncodedInstruction {
    return { ids: this.encodedTexts[i], promptLength: this.promptLengths[i] };
  }
}
