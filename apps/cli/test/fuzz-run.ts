// One case of the CLI fuzz test: the command line runs in-process in a folder of its own, and must end
// within a time bound with exit 0, or exit 1 and one line `llmfs: ...` from a typed error (no stack,
// no "run with --debug"), print no NaN result, release its locks, listeners and tensors, and write nothing
// outside its folder (the inputs and the shared fixtures stay as they were).
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { llmfsInProcess, type CliRun } from './in-process.js';
import { guardedState, snapshotDiff, type Sandbox } from './fuzz-sandbox.js';

/** The longest a case may take before it counts as a hang. */
export const CASE_TIMEOUT_MS = 60_000;

/** The command line with its symbolic paths (`@IN/`, `@CASE/`, `@SRC`) made real. */
export function materialize(args: string[], sb: Sandbox, caseDir: string): string[] {
  const real = (a: string) => a.replace(/^@IN\//, sb.inDir + '/').replace(/^@CASE\//, caseDir + '/');
  const out = args.map(real);
  const src = args[0] === 'convert' ? out[1] : '';
  return out.map((a) => a.replace(/^@SRC/, src));
}

function leftoverLocks(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (/\.lock(\.|$)/.test(e.name)) found.push(path.join(d, e.name));
    }
  };
  walk(dir);
  return found;
}

/** Runs case `index`; throws an Error naming the broken rule, with the command line and its output. */
export async function runCase(
  sb: Sandbox,
  index: number,
  symbolic: string[],
  guard: ReturnType<typeof guardedState>,
): Promise<CliRun> {
  const caseDir = path.join(sb.casesDir, `case-${index}`);
  fs.mkdirSync(path.join(caseDir, 'taken-dir'), { recursive: true });
  fs.writeFileSync(path.join(caseDir, 'taken.txt'), 'taken\n');
  if (symbolic.includes('@CASE/run'))
    fs.cpSync(path.join(sb.inDir, 'run'), path.join(caseDir, 'run'), { recursive: true });
  const args = materialize(symbolic, sb, caseDir);
  const listeners = ['SIGINT', 'exit'].map((e) => process.listenerCount(e));
  const tensors = tf.memory().numTensors;
  const cwd = process.cwd();
  let r: CliRun | 'timeout';
  let timer: NodeJS.Timeout | undefined;
  process.chdir(caseDir); // outputs with relative defaults land in the case's folder too
  try {
    r = await Promise.race([
      llmfsInProcess(args),
      new Promise<'timeout'>((res) => (timer = setTimeout(() => res('timeout'), CASE_TIMEOUT_MS))),
    ]);
  } finally {
    clearTimeout(timer);
    process.chdir(cwd);
  }
  const fail = (why: string): never => {
    const out =
      r === 'timeout'
        ? ''
        : `\nexit ${r.code}\nstdout: ${r.stdout.slice(-800)}\nstderr: ${r.stderr.slice(-1500)}`;
    throw new Error(`case ${index}: ${why}\nllmfs ${JSON.stringify(symbolic)}${out}`);
  };
  if (r === 'timeout') return fail(`no exit within ${CASE_TIMEOUT_MS / 1000} s`);
  if (r.code !== 0 && r.code !== 1) fail(`exit code ${r.code}`);
  if (/^\s+at /m.test(r.stderr)) fail('a stack trace on stderr');
  if (r.code === 1) {
    const last = r.stderr.trimEnd().split('\n').pop() ?? '';
    if (!last.startsWith('llmfs: ')) fail('the error is not one line starting with "llmfs: "');
    if (last.endsWith('(run with --debug for details)')) fail('an untyped error reached the user');
    if (/\bE(NOENT|ISDIR|NOTDIR|ACCES|EXIST|PERM|LOOP|NAMETOOLONG)\b/.test(last))
      fail('a raw Node error reached the user (it names no flag)');
  }
  if (r.code === 0 && args.includes('--json')) {
    try {
      JSON.parse(r.stdout.trimEnd().split('\n').pop() ?? '');
    } catch {
      fail('--json printed no JSON object');
    }
  }
  if (
    ['pretrain', 'loss', 'finetune'].includes(args[0]) &&
    /(loss|accuracy)\S*:? [^\n]*\bNaN\b/i.test(r.stdout + r.stderr)
  )
    fail('NaN printed as a result');
  const listenersAfter = ['SIGINT', 'exit'].map((e) => process.listenerCount(e));
  if (listenersAfter.join() !== listeners.join()) fail(`process listeners ${listeners} -> ${listenersAfter}`);
  const leaked = tf.memory().numTensors - tensors;
  if (leaked !== 0) fail(`${leaked} tensors left allocated (a model or optimizer not disposed)`);
  const locks = leftoverLocks(caseDir);
  if (locks.length) fail(`lock files left behind: ${locks.join(', ')}`);
  const now = guardedState(sb);
  const changed = snapshotDiff(guard.inputs, now.inputs) ?? snapshotDiff(guard.fixtures, now.fixtures);
  if (changed) fail(`wrote outside its folder: ${changed}`);
  const stray = fs.readdirSync(sb.root).filter((n) => n !== 'in' && n !== 'cases');
  if (stray.length) fail(`wrote outside its folder: ${stray.join(', ')} in the sandbox`);
  fs.rmSync(caseDir, { recursive: true, force: true });
  return r;
}
