// Shared test helpers for llmfs packages: fixture paths, numeric closeness, tensor-leak checks.
// Depends on no other llmfs package (docs/design.md), only on node:fs and the tfjs peer.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the fixtures folder shipped in this package. */
export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

/** Absolute path of a file or folder under fixtures/, e.g. `fixturePath('gpt-tiny', 'hf')`. */
export function fixturePath(...parts: string[]): string {
  return path.join(FIXTURES_DIR, ...parts);
}

/** Parsed JSON of a fixture file. */
export function readFixtureJson<T = any>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(fixturePath(...parts), 'utf8')) as T;
}

/** Text of a fixture file (UTF-8). */
export function readFixtureText(...parts: string[]): string {
  return fs.readFileSync(fixturePath(...parts), 'utf8');
}

/** the-verdict.txt, the book's pretraining text. */
export function theVerdict(): string {
  return readFixtureText('data', 'the-verdict.txt');
}

/** The gpt-tiny expected.json written by the book's PyTorch code. */
export function gptTinyExpected(): any {
  return readFixtureJson('gpt-tiny', 'expected.json');
}

/** Largest absolute difference between two equal-length numeric arrays (throws on length mismatch). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/** Throws when any |a_i - b_i| > atol, naming the first offending index. */
export function assertAllClose(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  atol: number,
  what = 'values',
): void {
  if (a.length !== b.length) throw new Error(`${what}: length mismatch ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= atol)) throw new Error(`${what}: index ${i}: ${a[i]} vs ${b[i]} (|diff| ${d} > ${atol})`);
  }
}

interface TfLike {
  memory(): { numTensors: number };
}

/**
 * Runs `step` `n` times and returns the tensor count after each run. A leak-free step gives
 * the same count every time after the first (which may create lazily-built state).
 */
export async function tensorCounts(
  tf: TfLike,
  n: number,
  step: () => unknown | Promise<unknown>,
): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < n; i++) {
    await step();
    counts.push(tf.memory().numTensors);
  }
  return counts;
}

/** Throws unless `tf.memory().numTensors` stays flat over `n` runs of `step` (after a warm-up run). */
export async function assertNoTensorLeak(
  tf: TfLike,
  n: number,
  step: () => unknown | Promise<unknown>,
): Promise<void> {
  await step();
  const before = tf.memory().numTensors;
  const counts = await tensorCounts(tf, n, step);
  const last = counts[counts.length - 1];
  if (last !== before) throw new Error(`tensor leak: ${before} tensors before, then ${counts.join(', ')}`);
}

/** A fresh empty temporary directory, removed by the returned cleanup. */
export function makeTempDir(prefix = 'llmfs-test-'): { dir: string; cleanup: () => void } {
  const os = process.env.TMPDIR ?? '/tmp';
  const dir = fs.mkdtempSync(path.join(os, prefix));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export {
  readSafetensorsF32,
  gptTinyStateDict,
  meanCrossEntropyF64,
  GPT_TINY_CFG,
  type RawTensor,
} from './gpt-tiny.js';

/**
 * Whether a backend starts here: undefined when `init(name)` works, else the reason in one line, also
 * printed once as `[skip] <name> tests: <reason>`. Under CI (env CI) a backend that cannot start is not
 * skipped: the tests run and fail with the reason.
 */
export async function backendSkipReason(
  init: (name: string) => Promise<unknown>,
  name: string,
): Promise<string | undefined> {
  try {
    await init(name);
    return undefined;
  } catch (err) {
    const reason = String((err as Error)?.message ?? err).split('\n')[0];
    console.warn(`[skip] ${name} tests: ${reason}`);
    return process.env.CI ? undefined : reason;
  }
}

export { readmeTsBlocks, runReadmeSnippet, type ReadmeSnippetOptions } from './readme-snippet.js';
export { largestBinding } from './largest-binding.js';
