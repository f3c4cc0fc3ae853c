// Chapter 6.2: the SMS Spam Collection: `label<TAB>text` rows (no header), read from the UCI zip,
// the extracted file, or a folder holding it; balanced by down-sampling (seeded) and split 70/10/20.
import { unzipSync, strFromU8 } from 'fflate';
import { DataFormatError } from './errors.js';
import { seededShuffle } from './seeded-shuffle.js';

/** One labelled message; `label` is the class index into `classes` (ham 0, spam 1 in the book). */
export interface SpamRow {
  label: number;
  text: string;
}

/** The book's classes, in label order. */
export const SPAM_CLASSES = ['ham', 'spam'] as const;

/** Name of the data file inside the UCI zip. */
export const SPAM_FILE_NAME = 'SMSSpamCollection';

/**
 * Parses `label<TAB>text` lines. Blank lines are skipped; a line without a tab, with an empty text or
 * with a label not in `classes` throws a DataFormatError naming `source` and the line.
 */
export function parseSpamTsv(
  text: string,
  source = 'SMSSpamCollection',
  classes: readonly string[] = SPAM_CLASSES,
): SpamRow[] {
  const rows: SpamRow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.trim() === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new DataFormatError(source, i + 1, 'expected "label<TAB>text", found no tab');
    const name = line.slice(0, tab).trim();
    const label = classes.indexOf(name);
    if (label < 0)
      throw new DataFormatError(
        source,
        i + 1,
        `unknown label '${name.slice(0, 40)}' (expected ${classes.join(' or ')})`,
      );
    const body = line.slice(tab + 1);
    if (body.trim() === '') throw new DataFormatError(source, i + 1, 'empty text');
    rows.push({ label, text: body });
  }
  return rows;
}

/** The SMSSpamCollection text inside a zip archive (the UCI download); throws when absent. */
export function unzipSpamCollection(zip: Uint8Array, source = 'sms+spam+collection.zip'): string {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (f) => f.name.split('/').pop() === SPAM_FILE_NAME || f.name.endsWith('.tsv'),
    });
  } catch (err) {
    throw new DataFormatError(source, 1, `not a readable zip archive (${(err as Error).message})`);
  }
  const name = Object.keys(files).find((n) => n.split('/').pop() === SPAM_FILE_NAME) ?? Object.keys(files)[0];
  if (name === undefined) throw new DataFormatError(source, 1, `no ${SPAM_FILE_NAME} file in the archive`);
  return strFromU8(files[name]);
}

/** Reads spam rows from a .zip, a TSV file, or a folder holding SMSSpamCollection(.tsv) (Node only). */
export async function readSpamData(
  path: string,
  classes: readonly string[] = SPAM_CLASSES,
): Promise<SpamRow[]> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  const stat = await fs.stat(path);
  if (stat.isDirectory()) {
    for (const name of [SPAM_FILE_NAME, `${SPAM_FILE_NAME}.tsv`, 'sms+spam+collection.zip']) {
      const p = join(path, name);
      if (
        await fs.stat(p).then(
          () => true,
          () => false,
        )
      )
        return readSpamData(p, classes);
    }
    throw new DataFormatError(
      path,
      1,
      `folder holds no ${SPAM_FILE_NAME}, ${SPAM_FILE_NAME}.tsv or sms+spam+collection.zip`,
    );
  }
  const bytes = new Uint8Array(await fs.readFile(path));
  const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const text = isZip ? unzipSpamCollection(bytes, path) : new TextDecoder().decode(bytes);
  return parseSpamTsv(text, isZip ? `${path}!${SPAM_FILE_NAME}` : path, classes);
}

/**
 * The book's create_balanced_dataset: keep every row of the smallest class and sample (seeded)
 * as many rows of each other class (747 spam + 747 of 4825 ham). Output: classes in label order.
 */
export function createBalancedDataset(rows: readonly SpamRow[], seed = 123): SpamRow[] {
  const byClass = new Map<number, SpamRow[]>();
  for (const r of rows) (byClass.get(r.label) ?? byClass.set(r.label, []).get(r.label)!).push(r);
  const n = Math.min(...[...byClass.values()].map((v) => v.length));
  const out: SpamRow[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const group = byClass.get(label)!;
    out.push(...(group.length === n ? group : seededShuffle(group, seed).slice(0, n)));
  }
  return out;
}

/**
 * The book's random_split: shuffle (seeded), then train = floor(n * trainFrac), val = floor(n * valFrac),
 * test = the rest (1494 rows -> 1045 / 149 / 300).
 */
export function randomSplit<T>(
  rows: readonly T[],
  trainFrac = 0.7,
  valFrac = 0.1,
  seed = 123,
): { train: T[]; val: T[]; test: T[] } {
  const shuffled = seededShuffle(rows, seed);
  const trainEnd = Math.floor(shuffled.length * trainFrac);
  const valEnd = trainEnd + Math.floor(shuffled.length * valFrac);
  return {
    train: shuffled.slice(0, trainEnd),
    val: shuffled.slice(trainEnd, valEnd),
    test: shuffled.slice(valEnd),
  };
}
