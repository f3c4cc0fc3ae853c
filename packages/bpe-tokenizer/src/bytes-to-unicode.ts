// GPT-2's reversible byte <-> printable character map (OpenAI's encoder.py `bytes_to_unicode`), used by
// encoder.json and vocab.bpe: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100...

/** Byte values 0..255: the 256 single-byte tokens every byte-level BPE vocabulary starts with. */
export const BYTE_VALUES = 256;

/** `BYTE_TO_CHAR[b]` = the character that stands for byte b in encoder.json / vocab.bpe. */
export const BYTE_TO_CHAR: string[] = [];
/** The inverse map: character code -> byte. */
export const CHAR_TO_BYTE = new Map<number, number>();

{
  const printable = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let n = 0;
  for (let b = 0; b < BYTE_VALUES; b++) {
    const code = printable(b) ? b : BYTE_VALUES + n++;
    BYTE_TO_CHAR[b] = String.fromCharCode(code);
    CHAR_TO_BYTE.set(code, b);
  }
}

/** The byte order of tiktoken's first 256 ranks: printable bytes, then the rest (data_gym_to_mergeable_bpe_ranks). */
export function dataGymByteOrder(): number[] {
  const order: number[] = [];
  for (let b = 0; b < BYTE_VALUES; b++) if (BYTE_TO_CHAR[b].charCodeAt(0) === b) order.push(b);
  for (let b = 0; b < BYTE_VALUES; b++) if (BYTE_TO_CHAR[b].charCodeAt(0) !== b) order.push(b);
  return order;
}
