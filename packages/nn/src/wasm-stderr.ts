// XNNPACK reports a failed allocation by printing "XNN status for xnn_create_... is not successful. Got
// status 6" from inside the wasm module and going on: tfjs then computes with a missing operator and the
// result is wrong, not an exception (gpt2-large generation returned wrong ids with exit 0). In Node the
// module prints through `fs.writeSync(2, ...)` (console.warn in other builds). This filter keeps those
// lines off stderr and remembers them; `checkWasmHealth()` then turns them into a typed error at the end
// of the piece of work, before its result is used.
import { BackendError } from './errors.js';

const XNN_LINE = /XNN status|xnn_\w+ .*not successful|failed to (?:create|allocate)/i;
let failure: string | undefined;
let installed = false;

function record(text: string): boolean {
  if (!XNN_LINE.test(text)) return false;
  failure ??= text.trim().split('\n')[0];
  return true;
}

/** Installs the filter on fs.writeSync(2, ...) and console.warn/error (Node; once). */
export async function installWasmStderrFilter(): Promise<void> {
  if (installed) return;
  installed = true;
  const fs = (await import('node:fs')).default as unknown as {
    writeSync: (fd: number, data: unknown, ...rest: unknown[]) => number;
  };
  const writeSync = fs.writeSync;
  fs.writeSync = (fd: number, data: unknown, ...rest: unknown[]) => {
    if (fd === 2 && typeof data === 'string' && record(data)) return Buffer.byteLength(data);
    return writeSync.call(fs, fd, data, ...rest);
  };
  for (const level of ['warn', 'error'] as const) {
    const orig = console[level].bind(console);
    console[level] = (...args: unknown[]) => {
      if (args.length > 0 && typeof args[0] === 'string' && record(args.join(' '))) return;
      orig(...args);
    };
  }
}

/**
 * Throws a BackendError when XNNPACK reported a failed allocation since the last check (then the
 * results computed since are wrong). Cheap: call it after each forward pass or training step.
 */
export function checkWasmHealth(): void {
  if (failure === undefined) return;
  const line = failure;
  failure = undefined;
  throw new BackendError(
    `wasm heap exhausted: XNNPACK could not allocate an operator (${line.replace(/\s+/g, ' ').slice(0, 120)}); use a smaller batch or context, or set LLMFS_HEAP_BUDGET lower so the memory plan streams more`,
  );
}
