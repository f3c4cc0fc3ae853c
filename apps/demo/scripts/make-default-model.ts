// Writes the model the site ships as its default (public/models/default): config.json +
// model.safetensors. Source: a model directory given with --from (e.g. what `npm run quickstart`
// wrote), else the gpt-tiny fixture of @llmfs/testing (2 layers, width 32, trained with the book's
// PyTorch code on the-verdict.txt; 6.5 MB), whose greedy output the e2e tests check in the browser.
// The files are validated with @llmfs/gpt2-weights before they are copied.
//   node --conditions=@llmfs/source --import tsx scripts/make-default-model.ts [--from DIR]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configFromHf, hfStateToLlmfs, readSafetensors } from '@llmfs/gpt2-weights';
import { fixturePath } from '@llmfs/testing';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, '../public/models/default');
const i = process.argv.indexOf('--from');
const from = i > 0 ? path.resolve(process.argv[i + 1]) : fixturePath('gpt-tiny', 'hf');
const MAX_BYTES = 8 * 2 ** 20;

const configText = fs.readFileSync(path.join(from, 'config.json'), 'utf8');
const weights = fs.readFileSync(path.join(from, 'model.safetensors'));
if (weights.byteLength > MAX_BYTES) {
  console.error(`${from}/model.safetensors is ${(weights.byteLength / 2 ** 20).toFixed(1)} MB; the site ships at most ${MAX_BYTES / 2 ** 20} MB`);
  process.exit(1);
}
const cfg = configFromHf(JSON.parse(configText), path.join(from, 'config.json'));
const state = hfStateToLlmfs(readSafetensors(new Uint8Array(weights), 'model.safetensors'), cfg);
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'config.json'), configText);
fs.writeFileSync(path.join(out, 'model.safetensors'), weights);
fs.writeFileSync(
  path.join(out, 'SOURCE.md'),
  `# The demo's default model\n\nCopied by \`scripts/make-default-model.ts\` from \`${i > 0 ? path.basename(from) : 'packages/testing/fixtures/gpt-tiny/hf'}\`.\n` +
    `${cfg.nLayers} layers, ${cfg.nHeads} heads, width ${cfg.embDim}, context ${cfg.contextLength}, vocabulary ${cfg.vocabSize}; ` +
    `${state.size} parameter tensors, ${(weights.byteLength / 2 ** 20).toFixed(1)} MB.\n`,
);
console.log(`wrote ${out} (${(weights.byteLength / 2 ** 20).toFixed(1)} MB, ${state.size} tensors)`);
