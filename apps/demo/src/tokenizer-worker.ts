// Tokenizer worker: GPT-2 BPE and the book's SimpleTokenizerV2 (ch. 2), off the page's thread so
// a long paste never freezes typing. The simple tokenizer's vocabulary is built from the-verdict.txt,
// as in the book.
import { getEncoding, SimpleTokenizerV2, buildVocab } from '@llmfs/bpe-tokenizer';
import type { TokenizeResult, TokenizerRequest, TokenPiece } from './protocol.js';
import { serve } from './worker-host.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
let simple: { tok: SimpleTokenizerV2; vocab: Map<string, number> } | undefined;

async function simpleTokenizer(
  base: string,
): Promise<{ tok: SimpleTokenizerV2; vocab: Map<string, number> }> {
  if (!simple) {
    const res = await fetch(new URL('data/the-verdict.txt', base));
    if (!res.ok) throw new Error(`data/the-verdict.txt: HTTP ${res.status}`);
    const vocab = buildVocab(await res.text(), ['<|endoftext|>', '<|unk|>']);
    simple = { tok: new SimpleTokenizerV2(vocab), vocab };
  }
  return simple;
}

function isWholeUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

async function tokenize(text: string, base: string): Promise<TokenizeResult> {
  const enc = getEncoding('gpt2');
  const ids = enc.encode(text, { allowedSpecial: 'all' });
  const gpt2: TokenPiece[] = ids.map((id) => {
    const bytes = enc.decodeBytes([id]);
    const partial = !isWholeUtf8(bytes);
    return { id, bytes: Array.from(bytes), partial, text: partial ? '' : enc.decode([id]) };
  });
  const { tok, vocab } = await simpleTokenizer(base);
  const simpleIds = tok.encode(text);
  const unk = vocab.get('<|unk|>');
  return {
    gpt2,
    simple: {
      ids: simpleIds,
      tokens: simpleIds.map((i: number) => tok.decode([i])),
      unknown: simpleIds.filter((i: number) => i === unk).length,
      vocabSize: vocab.size,
    },
    chars: [...text].length,
    utf8Bytes: new TextEncoder().encode(text).length,
  };
}

serve<TokenizerRequest>(async (req) => {
  switch (req.op) {
    case 'tokenize':
      return tokenize(req.text, req.base);
  }
});
