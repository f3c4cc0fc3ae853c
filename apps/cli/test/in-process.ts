// Test helpers: `llmfs ...` run in this process through runCli (no Node start per case), with stdout
// and stderr captured, and as a child process for what needs one (kill -9, two runs at once, a hang).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/program.js';

/** What a run of the command left: exit code and the text it wrote. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `llmfs ...args` in this process; stdout and stderr (also through console) are captured. */
export async function llmfsInProcess(args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const text = (a: unknown[]) => a.map(String).join(' ') + '\n';
  // patched by hand, not with vi.spyOn, so that the fuzz script runs outside vitest too
  const saved = {
    out: process.stdout.write,
    err: process.stderr.write,
    log: console.log,
    info: console.info,
    error: console.error,
    warn: console.warn,
  };
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  console.log = console.info = (...a: unknown[]) => void (stdout += text(a));
  console.error = console.warn = (...a: unknown[]) => void (stderr += text(a));
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    Object.assign(console, { log: saved.log, info: saved.info, error: saved.error, warn: saved.warn });
  }
}

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/main.ts');

/** A child process of `llmfs ...args` (sources through tsx); `kill` it or await `done`. */
export function llmfsChild(
  args: string[],
  opts: { timeoutMs?: number; cwd?: string } = {},
): {
  pid: number;
  done: Promise<CliRun & { signal: NodeJS.Signals | null }>;
  kill(sig?: NodeJS.Signals): void;
} {
  const p = spawn(process.execPath, ['--conditions=@llmfs/source', '--import', 'tsx', MAIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: opts.cwd,
    env: { ...process.env, LLMFS_BACKEND: 'wasm', LLMFS_OFFLINE: '1' },
  });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d) => (stdout += d));
  p.stderr.on('data', (d) => (stderr += d));
  const timer = opts.timeoutMs ? setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs) : undefined;
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve) =>
    p.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? -1, signal, stdout, stderr });
    }),
  );
  return { pid: p.pid!, done, kill: (sig = 'SIGKILL') => p.kill(sig) };
}

/** The one line of a failed run's error (the last stderr line). */
export function errorLineOf(r: CliRun): string {
  return r.stderr.trimEnd().split('\n').pop() ?? '';
}
