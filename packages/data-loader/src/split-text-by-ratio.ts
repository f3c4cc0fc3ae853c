// The book's train/validation split of a text by characters (ch. 5.1): train = text[:int(ratio * len(text))].
import { DataLoaderError } from './data-loader-error.js';

/**
 * Splits `text` at `int(trainRatio * len(text))` characters, counting code points as Python's `len`
 * does (so the split never cuts a surrogate pair). Returns `[train, validation]`.
 */
export function splitTextByRatio(text: string, trainRatio = 0.9): [string, string] {
  if (typeof text !== 'string' || text.length === 0) {
    throw new DataLoaderError('splitTextByRatio: text is empty; give it the text to split');
  }
  if (!(trainRatio > 0 && trainRatio < 1)) {
    throw new DataLoaderError(
      `splitTextByRatio: trainRatio must be between 0 and 1 (exclusive), got ${trainRatio}`,
    );
  }
  let codePoints = 0;
  for (const _ of text) codePoints++;
  const splitAt = Math.floor(trainRatio * codePoints); // Python: int(train_ratio * len(text_data))
  let unit = 0;
  let cp = 0;
  while (cp < splitAt) {
    const c = text.codePointAt(unit)!;
    unit += c > 0xffff ? 2 : 1;
    cp++;
  }
  return [text.slice(0, unit), text.slice(unit)];
}
