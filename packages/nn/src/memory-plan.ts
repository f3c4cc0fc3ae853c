// The memory plan: before the first step, decide what the backend's own memory holds. wasm keeps every
// tensor in one heap of at most 4 GiB (wasm32), so GPT-2 medium's parameters and gradients alone do not
// fit it; the model's home is host memory, and the heap is a working set. From a model's memory profile
// (bytes per segment, per batch row) the plan picks, cheapest first:
//   1. resident: every parameter on the device, the whole batch in one taped pass (the fast path);
//   2. streamed: parameters in host memory, each segment (embeddings, one block, the head) uploaded for
//      its own work; training stores only the blocks' inputs and recomputes each block's forward in the
//      backward pass (activation checkpointing), with the logits and cross-entropy taken in row chunks,
//      in as few micro-batches as fit;
//   3. resident in several micro-batches: when --micro-batches asks for it, or nothing else fits.
// Inference keeps as many segments resident as fit (with XNNPACK's packed copy of each weight) and
// streams the rest. Backends without such a limit (cpu, tensorflow) always get the resident plan.
import * as tf from '@tensorflow/tfjs';
import { NNError } from './errors.js';

/** One unit of the model the plan keeps or streams as a whole (embeddings, a block, the head). */
export interface SegmentProfile {
  name: string;
  /** Bytes of all its parameters. */
  paramBytes: number;
  /** Bytes of its trainable parameters (their gradients have the same size). */
  trainableBytes: number;
  /** Bytes autodiff keeps alive for this segment's taped forward, per batch row. */
  tapeBytesPerRow: number;
}

/** What a model costs in memory at one batch shape (gpt-model's `gptMemoryProfile` makes GPT's). */
export interface ModelMemoryProfile {
  /** Segments in forward order. */
  segments: SegmentProfile[];
  /** Tokens per batch row (the sequence length planned for). */
  seqLen: number;
  /** Bytes of the activation handed from one segment to the next, per row. */
  boundaryBytesPerRow: number;
  /** Bytes the head's logits and cross-entropy keep per token on a gradient tape (chunked when streamed). */
  headBytesPerToken: number;
  /** Bytes of one token's logits (inference keeps them and a softmax's temporaries). */
  logitsBytesPerToken: number;
  /** Bytes of the KV cache per row at full context (inference). */
  kvCacheBytesPerRow: number;
}

/** What the plan decided. */
export interface MemoryPlan {
  task: 'train' | 'infer';
  backend: string;
  /** Bytes of backend memory the plan may use (Infinity: no limit). */
  budgetBytes: number;
  mode: 'resident' | 'streamed';
  /** Passes per batch (gradient accumulation); 1 for inference. */
  microBatches: number;
  /** Training recomputes each block's forward in the backward pass (streamed mode). */
  recompute: boolean;
  /** Tokens of logits taken at once in the streamed head (Infinity: the whole batch). */
  headChunkTokens: number;
  /** Segments kept in host memory and uploaded for each use. */
  hostSegments: string[];
  /** The plan's estimate of its peak backend memory, bytes. */
  estimatedPeakBytes: number;
  /** One line for `memory plan: ...`. */
  summary: string;
}

/** Thrown when no plan fits: the message says what the model needs and what to change. */
export class MemoryPlanError extends NNError {}

/** Slack for the allocator, XNNPACK's scratch and transient copies (an eighth of small budgets). */
const SLACK_BYTES = 256 * 2 ** 20;

/** The slack a budget keeps free. */
function slackOf(budget: number): number {
  return Math.min(SLACK_BYTES, budget / 8);
}
/** Default wasm budget: the 4 GiB heap less room for fragmentation. */
const WASM_BUDGET_BYTES = 3.25 * 2 ** 30;
/** Share of the budget an inference plan that streams fills with resident segments. */
const RESIDENT_SHARE = 0.75;
/** Logit-sized tensors alive at once without a tape (logits, exp, the cross-entropy's gather). */
const INFERENCE_LOGIT_COPIES = 3;
/** At most this share of the budget goes to one chunk of logits in the streamed head. */
const HEAD_CHUNK_SHARE = 0.25;

/**
 * Parses a size such as "8MB", "3.5GB", "512MiB" or plain bytes. Decimal and binary units are both
 * read as powers of 1024, as memory is.
 */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) throw new NNError(`cannot read '${text}' as a size (e.g. 8MB, 3.5GB)`);
  const scale = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase()]!;
  return Math.floor(Number(m[1]) * scale);
}

function envBudget(): number | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = p?.env?.LLMFS_HEAP_BUDGET;
  return v && v.trim() ? parseByteSize(v) : undefined;
}

/**
 * Backend memory a plan may use: on wasm 3.25 GiB of the 4 GiB heap (env `LLMFS_HEAP_BUDGET`, e.g.
 * "8MB", overrides it: tests use that to force the streamed paths on tiny models); elsewhere no limit.
 */
export function heapBudget(backend: string = tf.getBackend()): number {
  if (backend !== 'wasm') return Infinity;
  return envBudget() ?? WASM_BUDGET_BYTES;
}

/** Options of {@link planTraining} and {@link planInference}. */
export interface PlanOptions {
  batchSize: number;
  /** Default: the active backend. */
  backend?: string;
  /** Default: {@link heapBudget} of the backend. */
  budgetBytes?: number;
  /** Training only: force this many micro-batches (the CLI's --micro-batches); must divide batchSize. */
  microBatches?: number;
  /** Inference only: logits computed per row at once (1 for generation, the default; seqLen for a loss). */
  logitsPerRow?: number;
  /**
   * Host memory the model may use, bytes (Node: `os.totalmem()`): a model whose parameters (training:
   * with gradients and AdamW's two moments) need more is refused before anything is allocated.
   */
  hostBytes?: number;
}

/** Share of `hostBytes` a plan may take: the process, its buffers and the system need the rest. */
const HOST_SHARE = 0.85;

/** Throws MemoryPlanError when the host cannot hold what the model keeps there. */
function checkHost(p: ModelMemoryProfile, opts: PlanOptions, training: boolean): void {
  if (opts.hostBytes === undefined) return;
  const params = sum(p.segments.map((s) => s.paramBytes));
  const trainable = training ? sum(p.segments.map((s) => s.trainableBytes)) : 0;
  const need = params + 3 * trainable; // gradients, and AdamW's m and v
  if (need > HOST_SHARE * opts.hostBytes)
    throw new MemoryPlanError(
      `${training ? 'training' : 'running'} this model needs ~${GB(need)} of host memory (${GB(params)} of parameters${training ? ', their gradients and AdamW state' : ''}); this machine has ${GB(opts.hostBytes)}: use a smaller model`,
    );
}

const GB = (bytes: number) =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(2)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let k = 1; k <= n; k++) if (n % k === 0) out.push(k);
  return out;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** Peak of the resident training path: every parameter and gradient, plus one pass's whole tape. */
function residentTrainingPeak(p: ModelMemoryProfile, rows: number, slack: number): number {
  const params = sum(p.segments.map((s) => s.paramBytes));
  const grads = sum(p.segments.map((s) => s.trainableBytes));
  const tape = rows * (sum(p.segments.map((s) => s.tapeBytesPerRow)) + p.seqLen * p.headBytesPerToken);
  return params + grads + tape + slack;
}

/** Peak of the streamed training path with `rows` rows per pass and logits chunks of `chunk` tokens. */
function streamedTrainingPeak(p: ModelMemoryProfile, rows: number, chunk: number, slack: number): number {
  // one segment on the device at a time: its weights, XNNPACK's packed copy, its gradients, its tape
  const segment = Math.max(
    ...p.segments.map((s) => 2 * s.paramBytes + s.trainableBytes + rows * s.tapeBytesPerRow),
  );
  const stored = rows * p.boundaryBytesPerRow * (p.segments.length + 1); // the blocks' inputs, and their gradient
  return segment + stored + chunk * p.headBytesPerToken + slack;
}

function describe(plan: Omit<MemoryPlan, 'summary'>, p: ModelMemoryProfile): string {
  const budget = Number.isFinite(plan.budgetBytes) ? `${GB(plan.budgetBytes)} budget` : 'no limit';
  const parts = [`${plan.task}`, plan.mode];
  if (plan.mode === 'streamed') {
    parts.push(`${plan.hostSegments.length} of ${p.segments.length} segments in host memory`);
    if (plan.recompute) parts.push('blocks recomputed in backward');
    if (Number.isFinite(plan.headChunkTokens))
      parts.push(`logits in chunks of ${plan.headChunkTokens} tokens`);
  }
  if (plan.task === 'train')
    parts.push(`${plan.microBatches} micro-batch${plan.microBatches > 1 ? 'es' : ''}`);
  parts.push(`~${GB(plan.estimatedPeakBytes)} of ${plan.backend} memory (${budget})`);
  return parts.join(', ');
}

function finish(plan: Omit<MemoryPlan, 'summary'>, p: ModelMemoryProfile): MemoryPlan {
  return { ...plan, summary: describe(plan, p) };
}

function checkProfile(p: ModelMemoryProfile, batchSize: number): void {
  if (p.segments.length === 0) throw new NNError('memory plan: the profile has no segments');
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new NNError(`memory plan: batch size must be a positive integer, got ${batchSize}`);
}

/**
 * Chooses how a training step uses backend memory: resident with the fewest micro-batches that fit,
 * else streamed (host-resident parameters, recompute, chunked logits). Throws MemoryPlanError when not
 * even one row per pass fits, naming the sizes.
 */
export function planTraining(p: ModelMemoryProfile, opts: PlanOptions): MemoryPlan {
  checkProfile(p, opts.batchSize);
  checkHost(p, opts, true);
  const backend = opts.backend ?? tf.getBackend();
  const budget = opts.budgetBytes ?? heapBudget(backend);
  const slack = slackOf(budget);
  const ks = opts.microBatches !== undefined ? [opts.microBatches] : divisors(opts.batchSize);
  if (opts.microBatches !== undefined && opts.batchSize % opts.microBatches !== 0)
    throw new MemoryPlanError(
      `micro-batches ${opts.microBatches} do not divide the batch size ${opts.batchSize}`,
    );
  const base = { task: 'train' as const, backend, budgetBytes: budget };
  const resident = (k: number): MemoryPlan | undefined => {
    const peak = residentTrainingPeak(p, opts.batchSize / k, slack);
    if (peak > budget) return undefined;
    return finish(
      {
        ...base,
        mode: 'resident',
        microBatches: k,
        recompute: false,
        headChunkTokens: Infinity,
        hostSegments: [],
        estimatedPeakBytes: peak,
      },
      p,
    );
  };
  // The whole batch in one resident pass is the fastest step (GPT-2 124M at batch 2, context 256 on wasm:
  // 16.9 s against 21.6 s streamed). Past that, streaming beats resident micro-batches (measured before
  // freeGradientsEarly, when that step did not fit whole: streamed 23.5 s, two resident micro-batches
  // 24.9 s per step, 3.6 against 5.3 GiB peak RSS), so resident micro-batches come last, or when
  // --micro-batches asks.
  const whole = resident(ks[0]);
  if (whole) return whole;
  const chunkCap = Math.max(1, Math.floor((HEAD_CHUNK_SHARE * budget) / p.headBytesPerToken));
  for (const k of ks) {
    const rows = opts.batchSize / k;
    const chunk = Math.min(rows * p.seqLen, chunkCap);
    const peak = streamedTrainingPeak(p, rows, chunk, slack);
    if (peak <= budget)
      return finish(
        {
          ...base,
          mode: 'streamed',
          microBatches: k,
          recompute: true,
          headChunkTokens: chunk >= rows * p.seqLen ? Infinity : chunk,
          hostSegments: p.segments.map((s) => s.name),
          estimatedPeakBytes: peak,
        },
        p,
      );
  }
  for (const k of ks.slice(1)) {
    const plan = resident(k);
    if (plan) return plan;
  }
  const rows = opts.batchSize / ks[ks.length - 1];
  const need = streamedTrainingPeak(p, rows, Math.min(rows * p.seqLen, chunkCap), slack);
  throw new MemoryPlanError(
    `training this model needs ~${GB(need)} of ${backend} memory even streamed one row per pass; this backend holds ${GB(budget)}: use a smaller --context-length or model`,
  );
}

/**
 * Chooses how inference (generation, evaluation) uses backend memory: every segment resident when
 * the weights and their packed copies fit, else the leading segments resident and the rest streamed.
 */
export function planInference(p: ModelMemoryProfile, opts: PlanOptions): MemoryPlan {
  checkProfile(p, opts.batchSize);
  checkHost(p, opts, false);
  const backend = opts.backend ?? tf.getBackend();
  const budget = opts.budgetBytes ?? heapBudget(backend);
  const slack = slackOf(budget);
  const rows = opts.batchSize;
  // one block's intermediates (a tidy keeps them to its end), the KV cache and the logits
  const blockWork = Math.max(...p.segments.map((s) => s.tapeBytesPerRow));
  const logits = (opts.logitsPerRow ?? 1) * INFERENCE_LOGIT_COPIES * p.logitsBytesPerToken;
  const work = rows * (p.kvCacheBytesPerRow + 2 * p.boundaryBytesPerRow + blockWork + logits) + slack;
  const weights = sum(p.segments.map((s) => 2 * s.paramBytes)); // each weight and XNNPACK's packed copy
  const base = {
    task: 'infer' as const,
    backend,
    budgetBytes: budget,
    microBatches: 1,
    recompute: false,
    headChunkTokens: Infinity,
  };
  if (weights + work <= budget)
    return finish({ ...base, mode: 'resident', hostSegments: [], estimatedPeakBytes: weights + work }, p);
  const streamRoom = Math.max(...p.segments.map((s) => 2 * s.paramBytes));
  if (streamRoom + work > budget)
    throw new MemoryPlanError(
      `running this model needs ~${GB(streamRoom + work)} of ${backend} memory even streamed; this backend holds ${GB(budget)}: use a shorter context or a smaller batch`,
    );
  // keep segments resident in forward order while they fit; stream the rest. The resident share stops
  // at RESIDENT_SHARE of the budget: streamed weights need contiguous room each time, and a heap that is
  // full of resident weights fragments (GPT-2 xl ran past the 4 GiB end at 3.1 GiB planned)
  let used = streamRoom + work;
  const hostSegments: string[] = [];
  for (const s of p.segments) {
    if (hostSegments.length === 0 && used + 2 * s.paramBytes <= RESIDENT_SHARE * budget)
      used += 2 * s.paramBytes;
    else hostSegments.push(s.name);
  }
  return finish({ ...base, mode: 'streamed', hostSegments, estimatedPeakBytes: used }, p);
}
