// The sandbox of the CLI fuzz test: read-only inputs under `in/` (hostile files, tiny models, a
// classifier, an instruction-tuned model, a run to resume), one folder per case under `cases/`, and
// snapshots that show whether a case wrote anywhere but its own folder.
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR } from '@llmfs/testing';
import { GPTModel } from '@llmfs/gpt-model';
import { saveModelDirectory } from '@llmfs/gpt2-weights';
import { initBackend } from '@llmfs/nn';
import { MICRO_CONFIG, writeFixtures } from './fixtures.js';
import { llmfsInProcess } from './in-process.js';

/** The prepared sandbox. */
export interface Sandbox {
  root: string;
  inDir: string;
  casesDir: string;
}

/** Builds the inputs (a few seconds: three tiny runs make the classifier, the SFT model and the run). */
export async function createSandbox(root: string): Promise<Sandbox> {
  const inDir = path.join(root, 'in');
  const casesDir = path.join(root, 'cases');
  fs.mkdirSync(casesDir, { recursive: true });
  const fx = await writeFixtures(inDir);
  const p = (f: string) => path.join(inDir, f);
  await initBackend('wasm', { log: () => undefined });
  const model = new GPTModel({ ...MICRO_CONFIG, contextLength: 32 }, { seed: 1 });
  await saveModelDirectory(p('micro-model'), model);
  model.dispose();
  fs.writeFileSync(
    p('binary.bin'),
    Uint8Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 256),
  );
  fs.writeFileSync(p('ünï código.txt'), fs.readFileSync(fx.short));
  fs.symlinkSync(p('loop'), p('loop'));
  fs.writeFileSync(
    p('responses.json'),
    JSON.stringify([{ instruction: 'Say hi.', input: '', output: 'Hi.', model_response: 'Hi!' }]),
  );
  const prep = async (args: string[]) => {
    const r = await llmfsInProcess(args);
    if (r.code !== 0) throw new Error(`fuzz sandbox: llmfs ${args.join(' ')} failed: ${r.stderr}`);
  };
  const micro = ['--model', p('micro-model'), '--offline'];
  await prep([
    'finetune',
    'classify',
    '--data',
    fx.spam,
    ...micro,
    '--out',
    p('classifier'),
    '--max-steps',
    '1',
  ]);
  await prep([
    'finetune',
    'instruct',
    '--data',
    fx.instruct,
    ...micro,
    '--out',
    p('sft'),
    '--max-steps',
    '1',
    '--batch-size',
    '2',
    '--eval-freq',
    '0',
    '--no-responses',
  ]);
  await prep([
    'pretrain',
    '--data',
    fx.short,
    '--config',
    fx.microConfig,
    '--context-length',
    '16',
    '--batch-size',
    '1',
    '--max-steps',
    '2',
    '--save-every',
    '1',
    '--eval-freq',
    '0',
    '--out',
    p('run'),
  ]);
  return { root, inDir, casesDir };
}

/** Every entry below `dir` with its size and modification time (a symlink as itself). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const full = path.join(d, name);
      const st = fs.lstatSync(full);
      out.set(path.relative(dir, full), st.isDirectory() ? 'dir' : `${st.size}@${st.mtimeMs}`);
      if (st.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}

/** The first difference between two snapshots, or undefined. */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string | undefined {
  for (const [k, v] of after)
    if (before.get(k) !== v) return `${k} ${before.has(k) ? 'changed' : 'appeared'}`;
  for (const k of before.keys()) if (!after.has(k)) return `${k} disappeared`;
  return undefined;
}

/** What must not change while the cases run: the inputs and the shared fixtures. */
export function guardedState(sb: Sandbox) {
  return { inputs: snapshot(sb.inDir), fixtures: snapshot(FIXTURES_DIR) };
}
