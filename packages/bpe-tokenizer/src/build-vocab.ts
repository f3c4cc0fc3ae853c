// The book's chapter 2 vocabulary: split on punctuation, "--" and white space, drop empty and
// white-space-only items, sort the unique tokens and number them (1130 on the-verdict).

/** The book's split: re.split(r'([,.:;?_!"()\']|--|\s)', text), empty and white-space items removed. */
export function splitSimple(text: string): string[] {
  return text
    .split(/([,.:;?_!"()']|--|\s)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** Sorted unique tokens of `text` -> ids 0..n-1, optionally followed by `extra` tokens (e.g. specials). */
export function buildVocab(text: string, extra: readonly string[] = []): Map<string, number> {
  const words = [...new Set(splitSimple(text))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const vocab = new Map<string, number>();
  for (const w of [...words, ...extra]) if (!vocab.has(w)) vocab.set(w, vocab.size);
  return vocab;
}
