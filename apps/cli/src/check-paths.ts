// Path flags checked before any work: a missing input, a folder where a file is expected or the
// reverse, and an output under a special or unwritable location each become one line naming the flag
// and the path, at once, instead of a raw EISDIR/ENOENT after training, or a hang (a recursive mkdir
// under /proc spins forever in Node).
import fs from 'node:fs';
import path from 'node:path';
import { findRelease, GPT2_RELEASES } from '@llmfs/gpt2-weights';
import { UserError } from './common.js';

// Linux pseudo filesystems (statfs f_type) where no llmfs output belongs.
const SPECIAL_FS = new Map<number, string>([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
]);
const SPECIAL_ROOTS = new Map([
  ['/proc', 'procfs'],
  ['/sys', 'sysfs'],
]);

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function kindOf(st: fs.Stats): string {
  return st.isDirectory() ? 'a directory' : st.isFile() ? 'a file' : 'a special file';
}

function checkNotEmpty(flag: string, p: string): void {
  if (p.trim() === '') throw new UserError(`${flag}: empty path`);
  if (p.includes('\0')) throw new UserError(`${flag}: the path contains a NUL character`);
}

/** An existing, readable input of the given kind. */
export function checkInput(flag: string, p: string, kind: 'file' | 'dir' | 'file or dir'): fs.Stats {
  checkNotEmpty(flag, p);
  const st = statOf(p);
  const noun = kind === 'dir' ? 'directory' : kind === 'file' ? 'file' : 'file or directory';
  if (!st) throw new UserError(`${flag} ${p}: no such ${noun}`);
  if (kind === 'file' && st.isDirectory())
    throw new UserError(`${flag} ${p}: is a directory, expected a file`);
  if (kind === 'dir' && !st.isDirectory())
    throw new UserError(`${flag} ${p}: is ${kindOf(st)}, expected a directory`);
  try {
    fs.accessSync(p, fs.constants.R_OK);
  } catch {
    throw new UserError(`${flag} ${p}: not readable (permission denied)`);
  }
  return st;
}

/** The nearest existing ancestor of `p` (or `p` itself), resolved. */
function nearestExisting(p: string): { dir: string; st: fs.Stats } {
  let cur = path.resolve(p);
  for (;;) {
    const st = statOf(cur);
    if (st) return { dir: cur, st };
    const up = path.dirname(cur);
    if (up === cur) return { dir: cur, st: fs.statSync(cur) };
    cur = up;
  }
}

/** Throws when `p` lies under /proc, /sys or another pseudo filesystem. */
function checkNotSpecial(flag: string, p: string, existing: string): void {
  let real = existing;
  try {
    real = fs.realpathSync(existing);
  } catch {
    // keep the resolved path
  }
  const root = [...SPECIAL_ROOTS.keys()].find((r) => real === r || real.startsWith(r + '/'));
  let fsName = root && SPECIAL_ROOTS.get(root);
  if (!fsName && typeof fs.statfsSync === 'function') {
    try {
      fsName = SPECIAL_FS.get(Number(fs.statfsSync(real).type));
    } catch {
      // no statfs here: the prefix check above is all
    }
  }
  if (fsName)
    throw new UserError(`${flag} ${p}: inside a special system location (${fsName}); choose a normal folder`);
}

/** Where a new file or folder can be created: the nearest existing ancestor is a writable folder. */
function checkCreatable(flag: string, p: string): void {
  const { dir, st } = nearestExisting(path.dirname(path.resolve(p)));
  checkNotSpecial(flag, p, dir);
  if (!st.isDirectory()) throw new UserError(`${flag} ${p}: ${dir} is ${kindOf(st)}, not a directory`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UserError(`${flag} ${p}: ${dir} is not writable`);
  }
}

/** An output folder: an existing writable folder, or one that can be created. */
export function checkOutputDir(flag: string, p: string): void {
  checkNotEmpty(flag, p);
  const st = statOf(p);
  if (!st) return checkCreatable(flag, p);
  checkNotSpecial(flag, p, path.resolve(p));
  if (!st.isDirectory()) throw new UserError(`${flag} ${p}: is ${kindOf(st)}, expected a directory`);
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch {
    throw new UserError(`${flag} ${p}: not writable`);
  }
}

/** An output file: not a folder; an existing file must be writable, a new one creatable. */
export function checkOutputFile(flag: string, p: string): void {
  checkNotEmpty(flag, p);
  const st = statOf(p);
  if (!st) return checkCreatable(flag, p);
  if (st.isDirectory()) throw new UserError(`${flag} ${p}: is a directory, expected a file`);
  if (st.isCharacterDevice() && !path.resolve(p).startsWith('/dev/'))
    throw new UserError(`${flag} ${p}: is a special file`);
  if (!st.isCharacterDevice()) checkNotSpecial(flag, p, path.resolve(p));
  try {
    fs.accessSync(p, fs.constants.W_OK);
  } catch {
    throw new UserError(`${flag} ${p}: not writable`);
  }
}

/** `--model DIR|NAME`: an existing model directory, or a GPT-2 name (resolved through the cache). */
export function checkModelFlag(flag: string, value: string): void {
  checkNotEmpty(flag, value);
  const st = statOf(value);
  if (st) {
    if (!st.isDirectory())
      throw new UserError(`${flag} ${value}: is ${kindOf(st)}, expected a model directory`);
    return;
  }
  if (!findRelease(value))
    throw new UserError(
      `${flag} ${value}: no such directory, and not a GPT-2 name (${Object.keys(GPT2_RELEASES).join(', ')})`,
    );
}

/** An output file must not be one of the inputs (`--json-log` over `--data` would erase the text). */
export function checkNotInput(outFlag: string, out: string, inFlag: string, input: string | undefined): void {
  if (input === undefined) return;
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  if (real(out) === real(input))
    throw new UserError(`${outFlag} ${out}: is the ${inFlag} file; choose another file`);
}
