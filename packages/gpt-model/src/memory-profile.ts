// GPTModel's memory profile for nn's memory plan: the bytes of each segment (embeddings, each block, the
// head) and what a pass keeps alive per batch row, from the config alone. The per-element counts are the
// float32 tensors a taped pass holds for its backward pass (the saved activations, and the gradients of
// the ops the backward walk has not reached yet: nn's freeGradientsEarly frees the rest as it goes),
// rounded up: a GPT-2 124M training step at batch 2, context 256 measured a 2.93 GiB heap peak (weights
// and gradients 1.21 GiB of it) against this profile's 3.13 GiB.
import type { ModelMemoryProfile, SegmentProfile } from '@llmfs/nn';
import type { GPTConfig } from './gpt-config.js';

const F32 = 4;
/** Float32 tensors of [T, C] a taped block keeps (norms, projections, dropout masks, GELU's terms, ...). */
const BLOCK_TC_TENSORS = 30;
/** Float32 tensors of [H, T, T] a taped block keeps (softmax, dropout mask, dropped weights, and their gradients). */
const BLOCK_ATTENTION_TENSORS = 5;
/** Float32 tensors of [T, C] the embeddings and the final norm keep. */
const EDGE_TC_TENSORS = 8;
/** Float32 tensors of [V] per token in the head: logits, exp, softmax gradient, its scatter. */
const HEAD_V_TENSORS = 8;
/** LoRA adapters (appendix E) on every Linear add their products and sums to each tape. */
const LORA_TAPE_FACTOR = 1.5;

/** Options of {@link gptMemoryProfile}. */
export interface GPTMemoryProfileOptions {
  /** Tokens per row to plan for (default: the context length). */
  seqLen?: number;
  /** Names of the trainable parameters with their sizes (default: every parameter trainable). */
  trainable?: Array<[string, { size: number }]>;
  /** Output classes when a classifier head replaces the vocabulary head. */
  numClasses?: number;
}

/** The segment a parameter of GPTModel belongs to: 'embeddings', 'trf_blocks.<i>' or 'head'. */
export function segmentOf(paramName: string): string {
  if (paramName.startsWith('tok_emb.') || paramName.startsWith('pos_emb.')) return 'embeddings';
  const m = /^trf_blocks\.(\d+)\./.exec(paramName);
  return m ? `trf_blocks.${m[1]}` : 'head';
}

/** What a GPTModel of `cfg` needs, segment by segment, per batch row. */
export function gptMemoryProfile(cfg: GPTConfig, opts: GPTMemoryProfileOptions = {}): ModelMemoryProfile {
  const t = Math.min(opts.seqLen ?? cfg.contextLength, cfg.contextLength);
  const c = cfg.embDim;
  const v = opts.numClasses ?? cfg.vocabSize;
  const h = cfg.nHeads;
  const qkvBias = cfg.qkvBias ? 3 * c : 0;
  const blockParams = 4 * c * c + qkvBias + c + (8 * c * c + 5 * c) + 4 * c; // attention, ff, two norms
  const sizes = new Map<string, number>([
    ['embeddings', cfg.vocabSize * c + cfg.contextLength * c],
    ['head', 2 * c + c * v],
  ]);
  for (let i = 0; i < cfg.nLayers; i++) sizes.set(`trf_blocks.${i}`, blockParams);
  const trainable = new Map<string, number>();
  if (opts.trainable) {
    for (const [name, p] of opts.trainable) {
      const seg = segmentOf(name);
      trainable.set(seg, (trainable.get(seg) ?? 0) + p.size);
    }
  }
  const seg = (name: string, tape: number): SegmentProfile => ({
    name,
    paramBytes: sizes.get(name)! * F32,
    trainableBytes: (opts.trainable ? (trainable.get(name) ?? 0) : sizes.get(name)!) * F32,
    tapeBytesPerRow: tape,
  });
  const lora = opts.trainable?.some(([name]) => name.includes('.lora.')) ? LORA_TAPE_FACTOR : 1;
  const blockTape = lora * (BLOCK_TC_TENSORS * t * c + BLOCK_ATTENTION_TENSORS * h * t * t) * F32;
  const edgeTape = EDGE_TC_TENSORS * t * c * F32;
  return {
    segments: [
      seg('embeddings', edgeTape),
      ...Array.from({ length: cfg.nLayers }, (_, i) => seg(`trf_blocks.${i}`, blockTape)),
      seg('head', edgeTape),
    ],
    seqLen: t,
    boundaryBytesPerRow: t * c * F32,
    headBytesPerToken: lora * HEAD_V_TENSORS * v * F32,
    logitsBytesPerToken: v * F32,
    kvCacheBytesPerRow: 2 * cfg.nLayers * t * c * F32,
  };
}
