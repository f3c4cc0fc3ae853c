// Chapter 7.2: the instruction dataset, 1100 {instruction, input, output} entries (instruction-data.json,
// shipped in this package's data/ folder). Parsing checks every entry and names the line of a bad one.
import { DataFormatError } from './errors.js';

/** One instruction example, as in the book's instruction-data.json. */
export interface InstructionEntry {
  instruction: string;
  input: string;
  output: string;
  /** Filled in by response generation (chapter 7.7). */
  model_response?: string;
}

/** Line (1-based) where each top-level array element starts, found by scanning the JSON text. */
function elementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      if (depth === 1) lines.push(line);
    } else if (c === '{' || c === '[') {
      if (depth === 1) lines.push(line);
      depth++;
    } else if (c === '}' || c === ']') depth--;
    else if (depth === 1 && /[-0-9tfn]/.test(c)) {
      lines.push(line);
      while (i + 1 < text.length && /[-+.0-9a-zE]/.test(text[i + 1])) i++;
    }
  }
  return lines;
}

/** Line of a character offset in `text` (1-based). */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * Parses instruction data (a JSON array of {instruction, input, output}); a bad entry throws a
 * DataFormatError naming `source` and the entry's line. `input` may be missing (read as '').
 */
export function parseInstructionData(text: string, source = 'instruction data'): InstructionEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec(String((err as Error).message));
    // no position (e.g. "Unexpected end of JSON input"): the problem is at the end of the file
    const line = m ? lineOf(text, Number(m[1])) : lineOf(text, text.length);
    throw new DataFormatError(source, line, `invalid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (!Array.isArray(raw))
    throw new DataFormatError(source, 1, 'expected a JSON array of {instruction, input, output}');
  const lines = elementLines(text);
  return raw.map((e, k) => {
    const line = lines[k] ?? 1;
    if (e === null || typeof e !== 'object' || Array.isArray(e)) {
      throw new DataFormatError(source, line, `entry ${k} is not an object`);
    }
    const o = e as Record<string, unknown>;
    for (const key of ['instruction', 'output'] as const) {
      if (typeof o[key] !== 'string')
        throw new DataFormatError(source, line, `entry ${k}: "${key}" must be a string`);
    }
    if (o.input !== undefined && typeof o.input !== 'string') {
      throw new DataFormatError(source, line, `entry ${k}: "input" must be a string`);
    }
    const entry: InstructionEntry = {
      instruction: o.instruction as string,
      input: (o.input as string) ?? '',
      output: o.output as string,
    };
    if (typeof o.model_response === 'string') entry.model_response = o.model_response;
    return entry;
  });
}

/** Path of the instruction-data.json shipped with this package (Node only). */
export async function defaultInstructionDataPath(): Promise<string> {
  const { fileURLToPath } = await import('node:url');
  // src/ and dist/ both sit beside data/.
  return fileURLToPath(new URL('../data/instruction-data.json', import.meta.url));
}

/** Reads and checks instruction data from `path`, by default the book's 1100 entries (Node only). */
export async function loadInstructionData(path?: string): Promise<InstructionEntry[]> {
  const { readFile } = await import('node:fs/promises');
  const file = path ?? (await defaultInstructionDataPath());
  return parseInstructionData(await readFile(file, 'utf8'), file);
}

/**
 * The book's split: train = first 85%, test = next 10%, validation = the rest
 * (1100 entries -> 935 / 110 / 55). Not shuffled, as in the book.
 */
export function splitInstructionData<T>(data: readonly T[]): { train: T[]; test: T[]; val: T[] } {
  const trainPortion = Math.floor(data.length * 0.85);
  const testPortion = Math.floor(data.length * 0.1);
  return {
    train: data.slice(0, trainPortion),
    test: data.slice(trainPortion, trainPortion + testPortion),
    val: data.slice(trainPortion + testPortion),
  };
}
