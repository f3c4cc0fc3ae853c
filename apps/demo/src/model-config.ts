// config.json -> GPTConfig for files from a stranger: the JSON is parsed here (a typed error for
// non-JSON), the GPT-2 keys are checked by @llmfs/gpt2-weights' configFromHf, and the size is checked
// against what a browser tab can hold.
import type { GPTConfig } from '@llmfs/gpt-model';
import { configFromHf } from '@llmfs/gpt2-weights';
import { ModelFileError } from './errors.js';

/** Parameters above this are refused (fp32 weights over ~2 GB do not fit a tab). */
export const MAX_BROWSER_PARAMETERS = 500_000_000;

/** Reads a GPT-2 config.json (plus its optional `llmfs` block) into a GPTConfig (dropout off). */
export function gptConfigFromJson(text: string, file = 'config.json'): GPTConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ModelFileError(`${file}: not JSON (${(e as Error).message})`);
  }
  const cfg = { ...configFromHf(raw as Record<string, any>, file), dropRate: 0 };
  const params =
    cfg.vocabSize * cfg.embDim + cfg.contextLength * cfg.embDim + cfg.nLayers * 12 * cfg.embDim * cfg.embDim;
  if (params > MAX_BROWSER_PARAMETERS) {
    throw new ModelFileError(
      `${file}: about ${(params / 1e6).toFixed(0)}M parameters, more than this demo loads in a tab (${MAX_BROWSER_PARAMETERS / 1e6}M)`,
    );
  }
  return cfg;
}
