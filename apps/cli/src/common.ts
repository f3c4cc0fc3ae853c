// Helpers shared by every `llmfs` command: one-line user errors, --json output, backend choice.
import type { Command } from 'commander';

/** A mistake the user can fix (bad flag, missing file): printed as one line, exit code 1. */
export class UserError extends Error {
  override name = 'UserError';
}

/** Errors whose class name marks them as typed llmfs errors print as one line too. */
export function isUserFacing(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  if (err instanceof UserError) return true;
  // Typed errors from the packages (TokenizerError, SafetensorsError, ...) end in "Error" and are not
  // JavaScript's built-in ones; a stack trace would not help the user.
  const builtin = [
    'Error',
    'TypeError',
    'RangeError',
    'ReferenceError',
    'SyntaxError',
    'EvalError',
    'URIError',
  ];
  if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EACCES')
    return true;
  return !builtin.includes(err.name);
}

/** Print one JSON object on stdout (the `--json` contract). */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Adds `--backend` to a command (tfjs backend: auto, tensorflow, wasm, webgpu, webgl, cpu). */
export function withBackend(cmd: Command): Command {
  return cmd.option(
    '--backend <name>',
    'tfjs backend: auto | tensorflow | wasm | webgpu | webgl | cpu (env LLMFS_BACKEND)',
  );
}

/** Parse a number flag, or throw a UserError naming the flag. */
export function parseNumber(
  flag: string,
  value: string | undefined,
  opts: { integer?: boolean; min?: number } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (
    value.trim() === '' ||
    !Number.isFinite(n) ||
    (opts.integer && !Number.isInteger(n)) ||
    (opts.min !== undefined && n < opts.min)
  ) {
    const kind = opts.integer ? 'an integer' : 'a number';
    throw new UserError(
      `${flag}: expected ${kind}${opts.min !== undefined ? ` >= ${opts.min}` : ''}, got '${value}'`,
    );
  }
  return n;
}

/** Largest seed: seeds are 32-bit (the RNG's state), so larger ones would wrap around silently. */
export const MAX_SEED = 2 ** 32 - 1;

/** Parse a --seed flag: an integer in [0, 2^32), or throw a UserError naming the flag. */
export function parseSeed(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0 || n > MAX_SEED)
    throw new UserError(`${flag}: expected an integer in [0, ${MAX_SEED}], got '${value}'`);
  return n;
}
