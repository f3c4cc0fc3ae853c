// Test helper (not exported): a deterministic word-level tokenizer standing in for GPT-2 in unit tests.
import type { TextTokenizer } from './tokenizer.js';

/** Splits into runs of non-space / space; ids are assigned in first-seen order from 1. */
export function makeTestTokenizer(): TextTokenizer & { vocab: Map<string, number> } {
  const vocab = new Map<string, number>();
  const inverse: string[] = [''];
  return {
    vocab,
    encode(text: string): number[] {
      return (text.match(/\S+|\s+/g) ?? []).map((piece) => {
        let id = vocab.get(piece);
        if (id === undefined) {
          id = inverse.length;
          vocab.set(piece, id);
          inverse.push(piece);
        }
        return id;
      });
    },
    decode(ids: ArrayLike<number>): string {
      return Array.from(ids, (i) => inverse[i] ?? '').join('');
    },
  };
}
