// GPTModel (book section 4.6): token + position embeddings, nLayers transformer blocks, final norm, head.
import * as tf from '@tensorflow/tfjs';
import {
  Dropout,
  Embedding,
  Linear,
  Module,
  Rng,
  Sequential,
  checkWasmHealth,
  isRecordingGradients,
  peekValues,
  withDeviceLease,
  withoutGradients,
} from '@llmfs/nn';
import { ModelInputError } from './errors.js';
import { GPTCache } from './gpt-cache.js';
import type { GPTConfig } from './gpt-config.js';
import { validateConfig } from './gpt-config.js';
import { LayerNorm } from './layer-norm.js';
import { TransformerBlock } from './transformer-block.js';

/** Options of `GPTModel`. */
export interface GPTModelOptions {
  /** Seed of the weight init and the dropout masks (default 123). */
  seed?: number;
}

/** Options of `GPTModel.forward`. */
export interface GPTForwardOptions {
  /** KV cache: ids continue the cached positions (inference). */
  cache?: GPTCache;
  /** Return only the last position's logits [B, 1, V] (generation: skips T-1 head matmuls). */
  lastOnly?: boolean;
}

/** The book's GPTModel; parameter names as docs/design.md lists them (Linear weights [in, out]). */
export class GPTModel extends Module {
  readonly cfg: GPTConfig;
  readonly tok_emb: Embedding;
  readonly pos_emb: Embedding;
  readonly drop_emb: Dropout;
  readonly trf_blocks: Sequential<TransformerBlock>;
  readonly final_norm: LayerNorm;
  readonly out_head: Linear;

  constructor(cfg: GPTConfig, opts: GPTModelOptions = {}) {
    super();
    validateConfig(cfg);
    this.cfg = { ...cfg };
    const rng = new Rng(opts.seed ?? 123);
    this.tok_emb = this.registerModule('tok_emb', new Embedding(cfg.vocabSize, cfg.embDim, { rng }));
    this.pos_emb = this.registerModule('pos_emb', new Embedding(cfg.contextLength, cfg.embDim, { rng }));
    this.drop_emb = this.registerModule('drop_emb', new Dropout(cfg.dropRate, { rng }));
    const blocks = Array.from({ length: cfg.nLayers }, () => new TransformerBlock(cfg, { rng }));
    this.trf_blocks = this.registerModule('trf_blocks', new Sequential(blocks));
    this.final_norm = this.registerModule('final_norm', new LayerNorm(cfg.embDim));
    this.out_head = this.registerModule(
      'out_head',
      new Linear(cfg.embDim, cfg.vocabSize, { bias: false, rng }),
    );
  }

  /** An empty KV cache for this model. */
  createCache(): GPTCache {
    return new GPTCache(this.cfg.nLayers);
  }

  /**
   * Throws ModelInputError unless ids is int32 [B, T], 1 <= offset+T <= contextLength, 0 <= id < vocabSize
   * (ids already on a GPU are not range-checked).
   */
  checkIds(ids: tf.Tensor, offset = 0): void {
    if (ids.rank !== 2)
      throw new ModelInputError(`GPTModel: ids must be [batch, tokens], got shape [${ids.shape.join(',')}]`);
    if (ids.dtype !== 'int32') throw new ModelInputError(`GPTModel: ids must be int32, got ${ids.dtype}`);
    const t = (ids.shape as number[])[1];
    if (t < 1) throw new ModelInputError('GPTModel: ids has no tokens');
    if (offset + t > this.cfg.contextLength) {
      throw new ModelInputError(
        `GPTModel: ${offset + t} positions exceed the context length ${this.cfg.contextLength}`,
      );
    }
    // ids made from a JavaScript array are read where they are (no GPU readback on webgpu); ids already
    // on a GPU (the model's own output) are not range-checked: a readback per forward would cost more
    const data = peekValues(ids);
    if (!data) return;
    const v = this.cfg.vocabSize;
    for (let i = 0; i < data.length; i++) {
      const id = data[i];
      if (!(id >= 0 && id < v))
        throw new ModelInputError(`GPTModel: token id ${id} at index ${i} is outside [0, ${v})`);
    }
  }

  /** The parameters of each memory-plan segment ('embeddings', 'trf_blocks.<i>', 'head'), in forward order. */
  segmentParameters(): Array<[string, tf.Variable[]]> {
    return [
      ['embeddings', [...this.tok_emb.parameters(), ...this.pos_emb.parameters()]],
      ...this.trf_blocks.layers.map((b, i): [string, tf.Variable[]] => [`trf_blocks.${i}`, b.parameters()]),
      ['head', [...this.final_norm.parameters(), ...this.out_head.parameters()]],
    ];
  }

  /**
   * Token + position embeddings and their dropout: ids [B, T] (positions from `offset`) -> rows
   * (1, B*T, C), the flat layout the blocks work on.
   */
  embed(ids: tf.Tensor2D, offset = 0): tf.Tensor3D {
    const [b, t] = ids.shape;
    const c = this.cfg.embDim;
    return tf.tidy(() => {
      const n = b * t;
      const tok = this.tok_emb.forward(tf.reshape(ids, [1, n])); // (B, T) -> (1, B*T) -> (1, B*T, C)
      const pos = tf.slice(this.pos_emb.weight, [offset, 0], [t, c]); // (T, C)
      // (1, B*T, C) + (T, C): broadcast over the batch through a (B, T, C) view when B > 1
      const summed =
        b === 1 ? tf.add(tok, pos) : tf.reshape(tf.add(tf.reshape(tok, [b, t, c]), pos), [1, n, c]);
      return this.drop_emb.forward(summed) as tf.Tensor3D;
    });
  }

  /** final_norm and out_head on rows (1, N, C) -> (1, N, V) (V = numClasses under a classifier head). */
  head(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.out_head.forward(this.final_norm.forward(x)) as tf.Tensor3D);
  }

  /** ids int32 [B, T] -> logits [B, T, V] (or [B, 1, V] with lastOnly). */
  forward(ids: tf.Tensor2D, opts: GPTForwardOptions = {}): tf.Tensor3D {
    const { cache, lastOnly } = opts;
    const offset = cache ? cache.length : 0;
    this.checkIds(ids, offset);
    const [b, t] = ids.shape;
    const c = this.cfg.embDim;
    // Each segment's host-resident parameters (nn's memory plan) are on the device only for its own work.
    const segments = this.segmentParameters();
    const [emb, ...rest] = segments;
    const headParams = rest.pop()![1];
    // Frozen leading segments (chapter 6: the embeddings and 11 of 12 blocks) run off the gradient tape,
    // so a training step keeps none of their activations.
    const frozen = isRecordingGradients() ? segments.findIndex(([, ps]) => ps.some((p) => p.trainable)) : 0;
    const run = <T>(segment: number, f: () => T): T =>
      frozen < 0 || segment < frozen ? withoutGradients(f) : f();
    const logits = tf.tidy(() => {
      let x = run(0, () => withDeviceLease(emb[1], () => this.embed(ids, offset)));
      this.trf_blocks.layers.forEach((blk, i) => {
        x = run(i + 1, () =>
          withDeviceLease(rest[i][1], () => blk.forwardFlat(x, b, t, { cache: cache?.layers[i] })),
        );
      });
      let rows = t;
      if (lastOnly && t > 1) {
        // keep the last position of each row: (1, B*T, C) -> (B, T, C) -> (B, 1, C) -> (1, B, C)
        x = tf.reshape(tf.slice(tf.reshape(x, [b, t, c]), [0, t - 1, 0], [b, 1, c]), [1, b, c]);
        rows = 1;
      }
      const y = withDeviceLease(headParams, () => this.head(x)); // (1, B*rows, V)
      return tf.reshape(y, [b, rows, y.shape[y.rank - 1]]) as tf.Tensor3D; // -> (B, rows, V)
    });
    try {
      checkWasmHealth(); // an allocation XNNPACK could not make means these logits are wrong
    } catch (err) {
      logits.dispose();
      throw err;
    }
    return logits;
  }
}
