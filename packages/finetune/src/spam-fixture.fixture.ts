// Test helpers (not exported): a tiny GPT config and a separable synthetic spam fixture.
import type { GPTConfig } from '@llmfs/gpt-model';
import { mulberry32 } from './seeded-shuffle.js';

/** A small GPT with GPT-2's vocabulary (so 50256 pads), fast enough for unit tests. */
export const TINY: GPTConfig = {
  vocabSize: 50257,
  contextLength: 32,
  embDim: 32,
  nHeads: 4,
  nLayers: 2,
  dropRate: 0,
  qkvBias: true,
};

/** Ham and spam messages drawn from disjoint word lists, 3-8 words each, alternating labels 0/1. */
export function separableSpam(n: number, seed = 1): Array<{ label: number; text: string }> {
  const ham = ['see', 'you', 'at', 'home', 'later', 'mum', 'dinner', 'ok', 'love', 'tonight'];
  const spam = ['win', 'cash', 'prize', 'call', 'now', 'free', 'claim', 'urgent', 'txt', 'offer'];
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const label = i % 2;
    const words = label ? spam : ham;
    const len = 3 + Math.floor(rand() * 6);
    return {
      label,
      text: Array.from({ length: len }, () => words[Math.floor(rand() * words.length)]).join(' '),
    };
  });
}
