// Reads a large text file in pieces that tokenize exactly as the whole text would, so a file bigger
// than memory (or than V8's ~512 MB string limit) can be tokenized. Node only (node:fs loaded lazily).

/** Printable ASCII other than space: never whitespace for any pre-tokenizer's `\s`. */
function isPlainAscii(code: number): boolean {
  return code > 0x20 && code < 0x7f;
}

/** ASCII whitespace: whitespace for every definition of `\s`. */
function isAsciiSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * Last index `k >= minIndex` where `text[k]` is ASCII whitespace and `text[k + 1]` printable ASCII, or -1.
 * Cutting before `text[k]` is safe for GPT-2 pre-tokenization: `text[k]` ends a whitespace run, and the
 * pattern (`... | \s+(?!\S) | \s+`) splits such a run into "all but the last character" and "the last
 * character (alone, or as the leading space of the next word)" whether or not the text goes on; no piece
 * joins a non-space character to the whitespace after it, and the pattern has no look-behind.
 */
export function safeSplitPoint(text: string, minIndex = 1): number {
  for (let k = text.length - 2; k >= Math.max(1, minIndex); k--) {
    if (isAsciiSpace(text.charCodeAt(k)) && isPlainAscii(text.charCodeAt(k + 1))) return k;
  }
  return -1;
}

/**
 * Yields the text of `file` in pieces of about `chunkChars` characters, each cut at a safe split point
 * (a text with no such point is yielded whole at the end). Concatenated, the pieces are the file's text.
 */
export async function* readTextChunks(file: string, chunkChars: number): AsyncGenerator<string> {
  const fs = await import('node:fs');
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: Math.max(1024, chunkChars) });
  let pending = '';
  for await (const part of stream as AsyncIterable<string>) {
    pending += part;
    if (pending.length < chunkChars) continue;
    const cut = safeSplitPoint(pending, Math.floor(chunkChars / 2));
    if (cut < 0) continue;
    yield pending.slice(0, cut);
    pending = pending.slice(cut);
  }
  if (pending.length > 0) yield pending;
}
