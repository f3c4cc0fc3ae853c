// `llmfs info` (book ch04 "parameters and memory"): a model's config, parameter count and fp32 memory,
// read from the file headers only (no weights are loaded), which are checked as a load would.
import type { Command } from 'commander';
import { countParameters, modelMemoryBytes } from '@llmfs/gpt-model';
import { openWeightSource } from '@llmfs/gpt2-weights';
import { checkModelFlag, checkOutputDir } from '../check-paths.js';
import { printJson } from '../common.js';
import { resolveModelFlag } from '../model-loading.js';

/** Registers `llmfs info`. */
export function register(program: Command): void {
  program
    .command('info')
    .description('config, parameter count and memory of a model directory, OpenAI folder or GPT-2 name')
    .requiredOption('--model <dir|name>', 'model directory, OpenAI GPT-2 folder, or GPT-2 name')
    .option('--cache-dir <dir>', 'model cache (default: LLMFS_CACHE or the user cache dir)')
    .option('--offline', 'never download; use the cache only')
    .option('--json', 'print one JSON object')
    .action(async (o: { model: string; cacheDir?: string; offline?: boolean; json?: boolean }) => {
      checkModelFlag('--model', o.model);
      if (o.cacheDir !== undefined) checkOutputDir('--cache-dir', o.cacheDir);
      const dir = await resolveModelFlag(o.model, o);
      // names, shapes and file sizes from the headers (a cut data file or a bad n_head is refused here)
      const src = await openWeightSource(dir);
      await src.close();
      const { cfg } = src;
      const parameters = countParameters(cfg);
      const parametersTiedHead = countParameters(cfg, { tiedHead: true });
      const memoryBytes = modelMemoryBytes(cfg);
      const info = {
        dir,
        format: src.format,
        config: cfg,
        tiedInFile: src.tied,
        parameters,
        parametersTiedHead,
        memoryBytes,
        memoryMB: +(memoryBytes / 1024 ** 2).toFixed(2),
      };
      if (o.json) return printJson(info);
      console.log(
        `model:       ${dir} (${src.format === 'hf' ? 'Hugging Face directory' : 'OpenAI release folder'})`,
      );
      console.log(
        `config:      vocab ${cfg.vocabSize}, context ${cfg.contextLength}, emb ${cfg.embDim}, heads ${cfg.nHeads}, layers ${cfg.nLayers}, drop ${cfg.dropRate}, qkv bias ${cfg.qkvBias}`,
      );
      console.log(
        `parameters:  ${parameters.toLocaleString('en-US')} (${parametersTiedHead.toLocaleString('en-US')} with the head tied to the token embedding)`,
      );
      console.log(`memory:      ${info.memoryMB} MB in float32 (separate head, as llmfs holds it)`);
    });
}
