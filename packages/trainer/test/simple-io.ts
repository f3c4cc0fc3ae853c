// Test helper: a CheckpointIO that writes tensors as a JSON header + raw float32 bytes, and a loader
// that reads a model's weights back. (The CLI uses @llmfs/gpt2-weights' safetensors instead.)
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
};

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
