// Small hostile and careless inputs for the CLI tests, written into a temporary folder: data files
// (empty, one character, short, spam TSV, instruction JSON), configs, and broken model folders.
import fs from 'node:fs';
import path from 'node:path';
import { fixturePath, readFixtureJson, theVerdict } from '@llmfs/testing';
import { openSafetensorsFile, writeSafetensors, type TensorToWrite } from '@llmfs/gpt2-weights';

export const TINY_HF = fixturePath('gpt-tiny', 'hf');
export const TINY_OA = fixturePath('gpt-tiny', 'openai');
export const VERDICT = fixturePath('data', 'the-verdict.txt');

/** A GPTConfig JSON of a very small GPT with GPT-2's vocabulary (fresh pretraining in milliseconds). */
export const MICRO_CONFIG = {
  vocabSize: 50257,
  contextLength: 64,
  embDim: 4,
  nHeads: 2,
  nLayers: 1,
  dropRate: 0,
  qkvBias: false,
};

/** `n` separable spam/ham lines (`label<TAB>text`). */
export function spamTsv(n: number): string {
  const ham = ['see', 'you', 'at', 'home', 'later', 'mum', 'dinner', 'ok'];
  const spam = ['WIN', 'cash', 'prize', 'call', 'now', 'FREE', 'claim', 'txt'];
  return Array.from({ length: n }, (_, i) => {
    const words = i % 2 ? spam : ham;
    return `${i % 2 ? 'spam' : 'ham'}\t${[0, 1, 2].map((k) => words[(i * 3 + k) % words.length]).join(' ')}`;
  }).join('\n');
}

/** Writes the fixture files into `dir`; returns their paths. */
export async function writeFixtures(dir: string) {
  const p = (...parts: string[]) => path.join(dir, ...parts);
  fs.mkdirSync(p('folder'), { recursive: true });
  const files = {
    dir: p('folder'),
    file: p('plain.txt'),
    empty: p('empty.txt'),
    oneChar: p('one-char.txt'),
    short: p('short.txt'),
    verdict: p('verdict.txt'),
    spam: p('spam.tsv'),
    spamFew: p('spam-few.tsv'),
    instruct: p('instruct.json'),
    badJson: p('bad.json'),
    microConfig: p('micro-config.json'),
    hfConfig32: p('hf-config-ctx32.json'),
    nanModel: p('nan-model'),
    oaCut: p('oa-cut'),
    oaEmpty: p('oa-empty'),
    oaHeads3: p('oa-heads3'),
    missing: p('no-such-file'),
  };
  fs.writeFileSync(files.file, 'a plain file\n');
  fs.writeFileSync(files.empty, '');
  fs.writeFileSync(files.oneChar, 'x');
  fs.writeFileSync(files.short, theVerdict().slice(0, 1500));
  fs.writeFileSync(files.verdict, theVerdict());
  fs.writeFileSync(files.spam, spamTsv(40));
  fs.writeFileSync(files.spamFew, spamTsv(3));
  const entries = readFixtureJson<any[]>('data', 'instruction-data.json')
    .filter((e) => e.output.length < 40 && e.instruction.length < 60 && !e.input)
    .slice(0, 20);
  fs.writeFileSync(files.instruct, JSON.stringify(entries));
  fs.writeFileSync(files.badJson, '{');
  fs.writeFileSync(files.microConfig, JSON.stringify(MICRO_CONFIG));
  const hf = JSON.parse(fs.readFileSync(path.join(TINY_HF, 'config.json'), 'utf8'));
  fs.writeFileSync(files.hfConfig32, JSON.stringify({ ...hf, n_positions: 32, n_ctx: 32 }));

  // gpt-tiny with one NaN weight
  fs.mkdirSync(files.nanModel);
  fs.copyFileSync(path.join(TINY_HF, 'config.json'), path.join(files.nanModel, 'config.json'));
  const r = await openSafetensorsFile(path.join(TINY_HF, 'model.safetensors'));
  const tensors = new Map<string, TensorToWrite>();
  for (const name of r.names()) {
    const t = await r.tensor(name);
    if (name.endsWith('h.0.attn.c_proj.weight')) t.data[5] = NaN;
    tensors.set(name, { shape: t.shape, data: t.data });
  }
  await r.close();
  await writeSafetensors(path.join(files.nanModel, 'model.safetensors'), tensors, { format: 'pt' });

  // OpenAI folders: data file cut, data file empty, n_head 3
  for (const d of [files.oaCut, files.oaEmpty, files.oaHeads3]) fs.cpSync(TINY_OA, d, { recursive: true });
  const data = 'model.ckpt.data-00000-of-00001';
  fs.truncateSync(path.join(files.oaCut, data), 5000);
  fs.truncateSync(path.join(files.oaEmpty, data), 0);
  const hp = JSON.parse(fs.readFileSync(path.join(files.oaHeads3, 'hparams.json'), 'utf8'));
  fs.writeFileSync(path.join(files.oaHeads3, 'hparams.json'), JSON.stringify({ ...hp, n_head: 3 }));
  return files;
}

export type Fixtures = Awaited<ReturnType<typeof writeFixtures>>;

/** `llmfs pretrain` on the gpt-tiny fixture's data windows (its README: batch 2, 32-token windows). */
export const GPT_TINY_RUN = [
  '--model',
  TINY_HF,
  '--data',
  VERDICT,
  '--context-length',
  '32',
  '--batch-size',
  '2',
  '--stride',
  '32',
];

/** The optimizer settings of the fixture's six AdamW steps (no shuffle, lr 1e-3, wd 0.1, no dropout). */
export const GPT_TINY_ADAMW = ['--no-shuffle', '--lr', '1e-3', '--weight-decay', '0.1', '--drop-rate', '0'];
