// Scaffolding of the workspace packages (kept for new packages): writes each package's config files
// that are missing and never overwrites one that exists, so running it again changes nothing.
//
//   node tools/scaffold.mjs              every package in the table below
//   node tools/scaffold.mjs NAME...      only these (add a new package to the table first)
//   node tools/scaffold.mjs --self-test  proves, in a temporary folder, that existing files are kept
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The tfjs range every package pins (tools/check-graph.mjs checks it). */
const TFJS_RANGE = '~4.22.0';

const pkgs = {
  testing: {
    desc: 'Private test helpers and small fixtures for llmfs packages',
    deps: {},
    peer: false,
    private: true,
  },
  'bpe-tokenizer': {
    desc: 'Simple tokenizers and byte-level BPE (GPT-2), byte-exact with OpenAI tiktoken (book ch. 2)',
    deps: { 'js-tiktoken': '^1.0.21' },
    peer: false,
  },
  'data-loader': {
    desc: 'Sliding-window datasets, batching, splits and streaming token files (book ch. 2, 6, 7)',
    deps: { '@llmfs/bpe-tokenizer': '0.1.0' },
    peer: false,
  },
  nn: {
    desc: 'TensorFlow.js plumbing for llmfs: backend selection, Module, Linear, Embedding, Dropout, seeded RNG',
    deps: {},
    peer: true,
  },
  attention: {
    desc: 'Self-attention, causal and multi-head attention with a KV cache (book ch. 3)',
    deps: { '@llmfs/nn': '0.1.0' },
    peer: true,
  },
  'gpt-model': {
    desc: 'GPT-2 model: LayerNorm, GELU, TransformerBlock, GPTModel, generation (book ch. 4)',
    deps: { '@llmfs/nn': '0.1.0', '@llmfs/attention': '0.1.0' },
    peer: true,
  },
  trainer: {
    desc: 'Pretraining: cross-entropy, AdamW, clipping, schedules, training loop, checkpoints (book ch. 5, app. D)',
    deps: { '@llmfs/nn': '0.1.0' },
    peer: true,
  },
  'gpt2-weights': {
    desc: 'GPT-2 weight formats: safetensors, OpenAI TensorFlow checkpoints, Hugging Face names, downloads (book ch. 5)',
    deps: { '@llmfs/nn': '0.1.0', '@llmfs/gpt-model': '0.1.0' },
    peer: true,
  },
  finetune: {
    desc: 'Classification and instruction finetuning, LoRA (book ch. 6, 7, app. E)',
    deps: {
      '@llmfs/nn': '0.1.0',
      '@llmfs/trainer': '0.1.0',
      '@llmfs/gpt-model': '0.1.0',
      '@llmfs/data-loader': '0.1.0',
      '@llmfs/gpt2-weights': '0.1.0',
    },
    peer: true,
  },
};

/** Writes `file` unless it exists; returns whether it wrote. */
function writeIfMissing(file, text, log) {
  if (fs.existsSync(file)) {
    log(`scaffold: kept ${file}`);
    return false;
  }
  fs.writeFileSync(file, text);
  log(`scaffold: wrote ${file}`);
  return true;
}

/** Scaffolds `names` (all when empty) under `root`; returns the files written. */
export function scaffold(root, names = [], log = console.log) {
  for (const name of names)
    if (!(name in pkgs))
      throw new Error(`${name} is not in the table of tools/scaffold.mjs; add it there first`);
  const written = [];
  const put = (file, text) => {
    if (writeIfMissing(file, text, log)) written.push(path.relative(root, file));
  };
  for (const [name, p] of Object.entries(pkgs)) {
    if (names.length > 0 && !names.includes(name)) continue;
    scaffoldOne(root, name, p, put);
  }
  return written;
}

function scaffoldOne(root, name, p, put) {
  const dir = path.join(root, 'packages', name);
  fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
  const pj = {
    name: `@llmfs/${name}`,
    version: '0.1.0',
    description: p.desc,
    ...(p.private ? { private: true } : {}),
    type: 'module',
    license: 'Apache-2.0',
    sideEffects: false,
    exports: {
      '.': {
        '@llmfs/source': './src/index.ts',
        types: './dist/index.d.ts',
        import: './dist/index.js',
      },
      './package.json': './package.json',
    },
    types: './dist/index.d.ts',
    files: ['dist', '!dist/**/*.test.*', 'README.md', 'LICENSE'],
    engines: { node: '>=20' },
    scripts: {
      build: 'tsc -p tsconfig.build.json',
      typecheck: 'tsc -p tsconfig.json --noEmit',
      test: 'vitest run',
      lint: 'eslint src',
    },
    dependencies: p.deps,
    ...(p.peer ? { peerDependencies: { '@tensorflow/tfjs': TFJS_RANGE } } : {}),
  };
  put(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2) + '\n');
  const tsconfig = {
    extends: '../../tsconfig.base.json',
    compilerOptions: { noEmit: true },
    include: ['src', 'test', '*.ts'],
  };
  put(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
  const build = {
    extends: '../../tsconfig.base.json',
    compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [], noEmit: false },
    include: ['src'],
    exclude: ['src/**/*.test.ts', 'src/**/*.bench.ts'],
  };
  // the private test helpers are used from their sources: no build
  if (!p.private) put(path.join(dir, 'tsconfig.build.json'), JSON.stringify(build, null, 2) + '\n');
  put(path.join(dir, 'vitest.config.ts'), "export { default } from '../../vitest.shared.js';\n");
  put(path.join(dir, 'src/index.ts'), 'export {};\n');
  put(path.join(dir, 'LICENSE'), fs.readFileSync(path.join(root, 'LICENSE'), 'utf8'));
}

/** A temporary repository with one hand-edited tsconfig: scaffolding must keep it, and a second run write nothing. */
function selfTest() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'llmfs-scaffold-'));
  try {
    fs.writeFileSync(path.join(root, 'LICENSE'), 'license text\n');
    const mine = path.join(root, 'packages', 'nn', 'tsconfig.json');
    fs.mkdirSync(path.dirname(mine), { recursive: true });
    fs.writeFileSync(mine, '{ "hand": "edited" }\n');
    const quiet = () => {};
    const first = scaffold(root, ['nn'], quiet);
    const second = scaffold(root, ['nn'], quiet);
    const problems = [];
    if (fs.readFileSync(mine, 'utf8') !== '{ "hand": "edited" }\n') problems.push('overwrote tsconfig.json');
    if (first.includes('packages/nn/tsconfig.json')) problems.push('reported tsconfig.json as written');
    for (const f of ['package.json', 'tsconfig.build.json', 'vitest.config.ts', 'src/index.ts', 'LICENSE'])
      if (!first.includes(`packages/nn/${f}`)) problems.push(`did not write ${f}`);
    if (second.length > 0) problems.push(`a second run wrote ${second.join(', ')}`);
    for (const p of problems) console.error(`scaffold self-test: ${p}`);
    console.log(`scaffold self-test: ${problems.length === 0 ? 'OK' : `${problems.length} problem(s)`}`);
    return problems.length === 0;
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--self-test')) process.exitCode = selfTest() ? 0 : 1;
  else {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    try {
      scaffold(root, args);
    } catch (err) {
      console.error(`scaffold: ${err.message}`);
      process.exitCode = 1;
    }
  }
}
