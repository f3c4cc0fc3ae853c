// Test helper: a CheckpointIO that writes tensors as a JSON header + raw float32 bytes into checkpoint
// directories sealed by a list of file hashes, and a loader that reads a model's weights back. (The CLI
// uses @llmfs/gpt2-weights' gpt2CheckpointIO: safetensors, fsynced, crash-safe.)
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CheckpointIO, TrainableModel } from '../src/index.js';

function writeTensors(file: string, tensors: Map<string, tf.Tensor>): void {
  const header: Array<{ name: string; shape: number[]; offset: number; length: number }> = [];
  const parts: Buffer[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const data = Float32Array.from(t.dataSync());
    header.push({ name, shape: t.shape, offset, length: data.length });
    parts.push(Buffer.from(data.buffer));
    offset += data.byteLength;
  }
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(h.length);
  fs.writeFileSync(file, Buffer.concat([len, h, ...parts]));
}

function readTensors(file: string): Map<string, tf.Tensor> {
  const buf = fs.readFileSync(file);
  const hl = buf.readUInt32LE(0);
  const header = JSON.parse(buf.subarray(4, 4 + hl).toString()) as Array<{
    name: string;
    shape: number[];
    offset: number;
    length: number;
  }>;
  const base = 4 + hl;
  const out = new Map<string, tf.Tensor>();
  for (const e of header) {
    const bytes = buf.subarray(base + e.offset, base + e.offset + e.length * 4);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    out.set(e.name, tf.tensor(data, e.shape, 'float32'));
  }
  return out;
}

/** The test CheckpointIO: model weights in `weights.bin`, tensors wherever asked. */
export const simpleIO: CheckpointIO = {
  async saveModel(dir: string, model: TrainableModel) {
    writeTensors(path.join(dir, 'weights.bin'), new Map(model.namedParameters()));
    fs.writeFileSync(path.join(dir, 'config.json'), '{"test": true}\n');
  },
  async saveTensors(file, tensors) {
    writeTensors(file, tensors);
  },
  async loadTensors(file) {
    return readTensors(file);
  },
  exists: async (file) => fs.existsSync(file),
  writeText: async (file, text) => fs.writeFileSync(file, text),
  readText: async (file) => fs.readFileSync(file, 'utf8'),
  async writeCheckpoint(root, step, fill) {
    const final = path.join(root, `step-${String(step).padStart(8, '0')}`);
    const tmp = `${final}.tmp`;
    fs.mkdirSync(tmp, { recursive: true });
    await fill(tmp);
    fs.writeFileSync(path.join(tmp, SEAL), JSON.stringify(hashes(tmp)));
    fs.rmSync(final, { recursive: true, force: true });
    fs.renameSync(tmp, final);
    return final;
  },
  async pruneCheckpoints(root, keepLast) {
    const list = listCheckpoints(root);
    for (const dir of list.slice(0, Math.max(0, list.length - keepLast))) fs.rmSync(dir, { recursive: true });
  },
};

const SEAL = 'seal.json';

/** Each file's SHA-256 in `dir` (the seal itself left out). */
function hashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(dir).sort())
    if (name !== SEAL)
      out[name] = crypto
        .createHash('sha256')
        .update(fs.readFileSync(path.join(dir, name)))
        .digest('hex');
  return out;
}

/** Sealed checkpoints under `root` whose files still match their seal, oldest first. */
export function listCheckpoints(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .filter((n) => /^step-\d+$/.test(n))
    .sort()
    .map((n) => path.join(root, n))
    .filter((d) => {
      const seal = path.join(d, SEAL);
      return fs.existsSync(seal) && fs.readFileSync(seal, 'utf8') === JSON.stringify(hashes(d));
    });
}

/** The newest intact checkpoint under `root`. */
export function findResumeCheckpoint(root: string): string {
  const list = listCheckpoints(root);
  if (!list.length) throw new Error(`${root}: no complete checkpoint`);
  return list[list.length - 1];
}

/** Copies the weights saved by simpleIO.saveModel in `dir` into `model` (by name). */
export function loadWeights(dir: string, model: TrainableModel): void {
  const saved = readTensors(path.join(dir, 'weights.bin'));
  for (const [name, v] of model.namedParameters()) {
    const t = saved.get(name);
    if (!t) throw new Error(`missing ${name}`);
    v.assign(t);
  }
  tf.dispose([...saved.values()]);
}
