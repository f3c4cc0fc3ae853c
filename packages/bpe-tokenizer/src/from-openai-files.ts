// Builds an encoding from OpenAI's GPT-2 release files, encoder.json + vocab.bpe (as the book's bonus
// code loads them). Like tiktoken's data_gym_to_mergeable_bpe_ranks, the ranks come from vocab.bpe and
// must agree with encoder.json's ids; any disagreement is an error naming the file and token.
import { CHAR_TO_BYTE, dataGymByteOrder } from './bytes-to-unicode.js';
import { Encoding } from './encoding.js';
import { TokenizerError } from './errors.js';
import { RankTable } from './rank-table.js';

function charsToBytes(s: string, file: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const b = CHAR_TO_BYTE.get(s.charCodeAt(i));
    if (b === undefined)
      throw new TokenizerError(`${file}: '${s}' holds a character outside GPT-2's byte map`);
    out[i] = b;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An encoding from `encoder.json` (text or parsed object) and `vocab.bpe` (text). Special tokens are the
 * `<|...|>` entries of encoder.json (GPT-2: `<|endoftext|>` = 50256).
 */
export function fromOpenAIFiles(encoderJson: string | object, vocabBpe: string, name = 'gpt2'): Encoding {
  let encoder: Record<string, number>;
  try {
    encoder = (typeof encoderJson === 'string' ? JSON.parse(encoderJson) : encoderJson) as Record<
      string,
      number
    >;
  } catch (err) {
    throw new TokenizerError(`encoder.json: not valid JSON (${(err as Error).message})`);
  }
  if (encoder === null || typeof encoder !== 'object')
    throw new TokenizerError('encoder.json: expected an object of token -> id');
  // Ranks from vocab.bpe: 256 single bytes in data-gym order, then one rank per merge line.
  const tokens: Uint8Array[] = dataGymByteOrder().map((b) => Uint8Array.of(b));
  const lines = vocabBpe.split('\n');
  if (!lines[0]?.startsWith('#version'))
    throw new TokenizerError("vocab.bpe: the first line should be '#version: 0.2'");
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, '');
    if (line === '') continue;
    const parts = line.split(' ');
    if (parts.length !== 2) throw new TokenizerError(`vocab.bpe: line ${k + 1} is not two tokens: '${line}'`);
    tokens.push(concat(charsToBytes(parts[0], 'vocab.bpe'), charsToBytes(parts[1], 'vocab.bpe')));
  }
  const special: Record<string, number> = {};
  let ranked = 0;
  for (const [key, id] of Object.entries(encoder)) {
    if (!Number.isInteger(id))
      throw new TokenizerError(`encoder.json: '${key}' has id ${String(id)}, not an integer`);
    if (/^<\|.*\|>$/.test(key) && id >= tokens.length) {
      special[key] = id;
      continue;
    }
    ranked++;
    const bytes = charsToBytes(key, 'encoder.json');
    const rankBytes = tokens[id];
    if (!rankBytes || !sameBytes(bytes, rankBytes)) {
      throw new TokenizerError(
        `encoder.json: token '${key}' has id ${id}, but vocab.bpe gives that rank to a different token`,
      );
    }
  }
  if (ranked !== tokens.length) {
    throw new TokenizerError(
      `encoder.json has ${ranked} tokens but vocab.bpe defines ${tokens.length} ranks`,
    );
  }
  return new Encoding(name, RankTable.fromTokens(tokens), special);
}
