// Shared by generate / loss / info / download: `--model DIR|gpt2|...` resolved through the
// @llmfs/gpt2-weights cache (with a progress bar on a terminal), then loaded into a GPTModel.
import { SingleBar, Presets } from 'cli-progress';
import type { GPTModel, GPTConfig } from '@llmfs/gpt-model';
import { loadModelDirectory, resolveModel, type ResolveModelOptions } from '@llmfs/gpt2-weights';
import { checkOutputDir } from './check-paths.js';
import type { MemoryPlan } from '@llmfs/nn';
import { inferencePlacement, planModelInference, type PlanShape } from './memory-plan.js';

/** Cache flags shared by the commands that take a model name. */
export interface CacheFlags {
  cacheDir?: string;
  offline?: boolean;
}

/** resolveModel options that draw a progress bar on stderr per downloaded file (terminal only). */
export function progressOptions(flags: CacheFlags & { format?: 'hf' | 'openai' }): ResolveModelOptions {
  let bar: SingleBar | undefined;
  let current = '';
  const tty = process.stderr.isTTY;
  return {
    cacheDir: flags.cacheDir,
    offline: flags.offline,
    format: flags.format,
    onProgress: (file, received, total) => {
      if (file !== current) {
        bar?.stop();
        current = file;
        bar = undefined;
        if (!tty) process.stderr.write(`llmfs: downloading ${file}\n`);
      }
      if (!tty) return;
      if (!bar) {
        bar = new SingleBar(
          {
            format: `${file} [{bar}] {percentage}% | {value}/{total} bytes`,
            stream: process.stderr,
            hideCursor: true,
          },
          Presets.shades_classic,
        );
        bar.start(total ?? 0, received);
      }
      if (total !== undefined) bar.setTotal(total);
      bar.update(received);
      if (total !== undefined && received >= total) {
        bar.stop();
      }
    },
  };
}

/** A local model directory for `--model` (an existing path, or a GPT-2 name through the cache). */
export async function resolveModelFlag(model: string, flags: CacheFlags = {}): Promise<string> {
  if (flags.cacheDir !== undefined) checkOutputDir('--cache-dir', flags.cacheDir);
  return resolveModel(model, progressOptions(flags));
}

/** The batch shape inference will run at, from the model's config (for the memory plan). */
export type InferenceShape = (cfg: GPTConfig) => PlanShape & { logitsPerRow?: number };

/**
 * Resolves and loads `--model` into a GPTModel in eval mode, placed by the inference memory plan for
 * `shape` (default: one row at the full context): parameters the plan streams are read straight into
 * host memory. Prints `memory plan: ...` through `log`.
 */
export async function loadModelFlag(
  model: string,
  flags: CacheFlags & { shape?: InferenceShape; log?: (line: string) => void } = {},
): Promise<{ model: GPTModel; cfg: GPTConfig; dir: string; plan: MemoryPlan }> {
  const dir = await resolveModelFlag(model, flags);
  const shapeOf: InferenceShape = flags.shape ?? ((cfg) => ({ batchSize: 1, seqLen: cfg.contextLength }));
  const loaded = await loadModelDirectory(dir, { placement: (cfg) => inferencePlacement(cfg, shapeOf(cfg)) });
  try {
    const log = flags.log ?? ((line: string) => process.stderr.write(line + '\n'));
    const plan = planModelInference(loaded.model, shapeOf(loaded.cfg), log);
    return { model: loaded.model, cfg: loaded.cfg, dir, plan };
  } catch (err) {
    loaded.model.dispose();
    throw err;
  }
}
