// `llmfs download` and `llmfs convert` (book ch05): GPT-2 weights into the cache (Hugging Face
// safetensors or OpenAI's TensorFlow release, with resume and sha256 checks), and conversion between
// an OpenAI folder and a model directory.
import type { Command } from 'commander';
import {
  OutputPathError,
  convertModelDirectory,
  downloadModel,
  findRelease,
  GPT2_RELEASES,
} from '@llmfs/gpt2-weights';
import { checkModelFlag, checkOutputDir } from '../check-paths.js';
import { UserError, printJson } from '../common.js';
import { progressOptions, resolveModelFlag } from '../model-loading.js';

function checkFormat(format: string | undefined): 'hf' | 'openai' | undefined {
  if (format === undefined) return undefined;
  if (format !== 'hf' && format !== 'openai')
    throw new UserError(`--format: expected hf or openai, got '${format}'`);
  return format;
}

/** Registers `llmfs download` and `llmfs convert`. */
export function register(program: Command): void {
  program
    .command('download')
    .description(`download GPT-2 weights into the cache (${Object.keys(GPT2_RELEASES).join(', ')})`)
    .argument('<name>', 'gpt2 | gpt2-medium | gpt2-large | gpt2-xl (or 124M, 355M, 774M, 1558M)')
    .option('--format <hf|openai>', "Hugging Face safetensors or OpenAI's TensorFlow release", 'hf')
    .option('--cache-dir <dir>', 'cache root (default: LLMFS_CACHE or the user cache dir)')
    .option('--offline', 'never touch the network: succeed only if already cached')
    .option('--json', 'print {"name", "format", "dir"}')
    .action(
      async (name: string, o: { format?: string; cacheDir?: string; offline?: boolean; json?: boolean }) => {
        const rel = findRelease(name);
        if (!rel)
          throw new UserError(`unknown model '${name}' (known: ${Object.keys(GPT2_RELEASES).join(', ')})`);
        const format = checkFormat(o.format) ?? 'hf';
        if (o.cacheDir !== undefined) checkOutputDir('--cache-dir', o.cacheDir);
        const dir = await downloadModel(rel.name, progressOptions({ ...o, format }));
        if (o.json) printJson({ name: rel.name, format, dir });
        else console.log(dir);
      },
    );

  program
    .command('convert')
    .description('convert between an OpenAI GPT-2 folder and a model directory (Hugging Face layout)')
    .argument('<src>', 'model directory, OpenAI folder, or GPT-2 name')
    .argument('<dst>', 'output folder (created)')
    .option('--format <hf|openai>', 'output layout (default: the other one)')
    .option('--dtype <F32|F16|BF16>', 'safetensors storage dtype for --format hf', 'F32')
    .option('--cache-dir <dir>', 'model cache for names')
    .option('--offline', 'never download; use the cache only')
    .option('--json', 'print {"src", "dst", "format"}')
    .action(
      async (
        src: string,
        dst: string,
        o: { format?: string; dtype?: string; cacheDir?: string; offline?: boolean; json?: boolean },
      ) => {
        const dtype = (o.dtype ?? 'F32').toUpperCase();
        if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16')
          throw new UserError(`--dtype: expected F32, F16 or BF16, got '${o.dtype}'`);
        const format = checkFormat(o.format);
        checkModelFlag('SRC', src);
        checkOutputDir('DST', dst);
        if (o.cacheDir !== undefined) checkOutputDir('--cache-dir', o.cacheDir);
        const srcDir = await resolveModelFlag(src, o);
        const written = await convertModelDirectory(srcDir, dst, { format, dtype }).catch((err) => {
          throw err instanceof OutputPathError ? new UserError(`DST ${err.message}`) : err;
        });
        if (o.json) printJson({ src: srcDir, dst, format: written });
        else
          console.log(`wrote ${written === 'hf' ? 'a model directory' : 'an OpenAI GPT-2 folder'} to ${dst}`);
      },
    );
}
