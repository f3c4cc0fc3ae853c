// Crash-safe checkpoint directories: everything is written into a temporary directory, each file
// fsynced, a manifest (file sizes and SHA-256) written last, then the directory is renamed into
// place. A directory without a valid manifest is never offered for resume. Node only.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { TrainerCheckpointError } from './errors.js';
import type { TrainableModel } from './types.js';

/** How the trainer writes model weights and tensors (the CLI builds it from @llmfs/gpt2-weights). */
export interface CheckpointIO {
  /** Writes a model directory (config.json + model.safetensors) into `dir` (which exists). */
  saveModel(dir: string, model: TrainableModel): Promise<void>;
  /** Writes named tensors to one file (safetensors in the CLI). */
  saveTensors(file: string, tensors: Map<string, tf.Tensor>): Promise<void>;
  /** Reads named tensors back (the caller disposes them). */
  loadTensors(file: string): Promise<Map<string, tf.Tensor>>;
}

/** Name of the file written last into a checkpoint directory. */
export const MANIFEST_FILE = 'manifest.json';
/** Optimizer moments, by parameter name. */
export const TRAINING_STATE_FILE = 'training_state.safetensors';
/** Step, epoch, data position, RNG states, schedule, losses. */
export const TRAINER_STATE_FILE = 'trainer_state.json';

interface Manifest {
  format: 'llmfs-checkpoint';
  version: 1;
  step: number;
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

/** A checkpoint directory found on disk. */
export interface CheckpointEntry {
  dir: string;
  step: number;
}

function fsyncPath(p: string, dir = false): void {
  const fd = fs.openSync(p, dir ? 'r' : 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `data` to `file` crash-safely: temporary file, fsync, rename, fsync of the directory. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncPath(path.dirname(file), true);
}

function sha256File(file: string): string {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 22);
  try {
    let n: number;
    while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Directory name of the checkpoint after `step` optimizer steps. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Writes a checkpoint under `root` as `step-NNNNNNNN/`: `write(tmpDir)` fills a temporary directory,
 * then every file is fsynced, the manifest is written last and the directory renamed into place.
 * Returns the final directory. An existing checkpoint of the same step is replaced.
 */
export async function writeCheckpointDir(
  root: string,
  step: number,
  write: (dir: string) => Promise<void>,
): Promise<string> {
  fs.mkdirSync(root, { recursive: true });
  const final = path.join(root, checkpointName(step));
  const tmp = path.join(root, `.tmp-${checkpointName(step)}-${process.pid}-${Date.now()}`);
  fs.mkdirSync(tmp);
  await write(tmp);
  const files: Manifest['files'] = [];
  for (const name of fs.readdirSync(tmp).sort()) {
    const p = path.join(tmp, name);
    if (!fs.statSync(p).isFile()) continue;
    fsyncPath(p);
    files.push({ name, bytes: fs.statSync(p).size, sha256: sha256File(p) });
  }
  const manifest: Manifest = { format: 'llmfs-checkpoint', version: 1, step, files };
  writeFileAtomic(path.join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  if (fs.existsSync(final)) removeCheckpointDir(final);
  fs.renameSync(tmp, final);
  fsyncPath(root, true);
  return final;
}

/**
 * Checks a checkpoint directory against its manifest (sizes always; SHA-256 when `verifyHashes`).
 * Returns its step, or undefined when the manifest is missing, unreadable or does not match.
 */
export function validateCheckpointDir(
  dir: string,
  opts: { verifyHashes?: boolean } = {},
): number | undefined {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest?.format !== 'llmfs-checkpoint' || !Array.isArray(manifest.files)) return undefined;
  for (const f of manifest.files) {
    const p = path.join(dir, f.name);
    try {
      if (fs.statSync(p).size !== f.bytes) return undefined;
    } catch {
      return undefined;
    }
    if (opts.verifyHashes && sha256File(p) !== f.sha256) return undefined;
  }
  return manifest.step;
}

/** Valid checkpoints under `root`, oldest first (temporary and manifest-less directories are skipped). */
export function listCheckpoints(root: string): CheckpointEntry[] {
  if (!fs.existsSync(root)) return [];
  const out: CheckpointEntry[] = [];
  for (const name of fs.readdirSync(root)) {
    if (!/^step-\d+$/.test(name)) continue;
    const dir = path.join(root, name);
    const step = validateCheckpointDir(dir);
    if (step !== undefined) out.push({ dir, step });
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * The newest checkpoint to resume from: `dir` itself when it holds a manifest, else the newest valid
 * one under `dir` or `dir/checkpoints` (SHA-256 verified; a corrupt one falls back to the previous).
 */
export function findResumeCheckpoint(dir: string): string {
  if (fs.existsSync(path.join(dir, MANIFEST_FILE))) {
    if (validateCheckpointDir(dir, { verifyHashes: true }) === undefined) {
      throw new TrainerCheckpointError(`${dir}: the checkpoint does not match its ${MANIFEST_FILE}`);
    }
    return dir;
  }
  for (const root of [path.join(dir, 'checkpoints'), dir]) {
    const list = listCheckpoints(root).reverse();
    for (const c of list)
      if (validateCheckpointDir(c.dir, { verifyHashes: true }) !== undefined) return c.dir;
  }
  throw new TrainerCheckpointError(
    `${dir}: no complete checkpoint (a directory with ${MANIFEST_FILE}) to resume from`,
  );
}

/** Removes a checkpoint directory, its manifest first so that a half-removed one is never valid. */
export function removeCheckpointDir(dir: string): void {
  const m = path.join(dir, MANIFEST_FILE);
  if (fs.existsSync(m)) {
    fs.unlinkSync(m);
    fsyncPath(dir, true);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Keeps the newest `keepLast` checkpoints under `root`, removes older ones and stale temporaries. */
export function pruneCheckpoints(root: string, keepLast: number): void {
  const list = listCheckpoints(root);
  for (const c of list.slice(0, Math.max(0, list.length - keepLast))) removeCheckpointDir(c.dir);
  for (const name of fs.readdirSync(root)) {
    const m = /^\.tmp-step-\d+-(\d+)-/.exec(name);
    if (m && Number(m[1]) !== process.pid) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}
