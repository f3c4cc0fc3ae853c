// Scaffolding of the workspace packages (kept for new packages): writes each package's config files
// that are missing and never overwrites one that exists, so running it again changes nothing.
//
//   node tools/scaffold.mjs            every package in the table below
//   node tools/scaffold.mjs NAME...    only these (add a new package to the table first)
import fs from 'node:fs';
import path from 'node:path';

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

/** Writes `file` unless it exists; says which it did. */
function writeIfMissing(file, text) {
  if (fs.existsSync(file)) {
    console.log(`scaffold: kept ${file}`);
    return;
  }
  fs.writeFileSync(file, text);
  console.log(`scaffold: wrote ${file}`);
}

const wanted = process.argv.slice(2);
for (const name of wanted)
  if (!(name in pkgs)) {
    console.error(`scaffold: ${name} is not in the table of tools/scaffold.mjs; add it there first`);
    process.exit(1);
  }

for (const [name, p] of Object.entries(pkgs)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const dir = path.join('packages', name);
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
  writeIfMissing(path.join(dir, 'package.json'), JSON.stringify(pj, null, 2) + '\n');
  const tsconfig = {
    extends: '../../tsconfig.base.json',
    compilerOptions: { noEmit: true },
    include: ['src', 'test', '*.ts'],
  };
  writeIfMissing(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2) + '\n');
  const build = {
    extends: '../../tsconfig.base.json',
    compilerOptions: { rootDir: 'src', outDir: 'dist', customConditions: [], noEmit: false },
    include: ['src'],
    exclude: ['src/**/*.test.ts', 'src/**/*.bench.ts'],
  };
  // the private test helpers are used from their sources: no build
  if (!p.private)
    writeIfMissing(path.join(dir, 'tsconfig.build.json'), JSON.stringify(build, null, 2) + '\n');
  writeIfMissing(path.join(dir, 'vitest.config.ts'), "export { default } from '../../vitest.shared.js';\n");
  writeIfMissing(path.join(dir, 'src/index.ts'), 'export {};\n');
  writeIfMissing(path.join(dir, 'LICENSE'), fs.readFileSync('LICENSE', 'utf8'));
}
