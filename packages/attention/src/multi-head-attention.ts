// Multi-head causal self-attention (book section 3.6.2): the book's W_query, W_key and W_value
// Linears (state-dict names `att.W_query.weight` etc.), out_proj, plus a KV cache.
import * as tf from '@tensorflow/tfjs';
import { Dropout, Linear, Module, Rng, ShapeMismatchError, batchMatMul } from '@llmfs/nn';
import { causalMask } from './causal-mask.js';
import { maskedSoftmax } from './masked-softmax.js';
import type { KVCache } from './kv-cache.js';

/** Options of `MultiHeadAttention`. */
export interface MultiHeadAttentionOptions {
  /** Generator for the init and the dropout masks (default: Rng(123)). */
  rng?: Rng;
}

/** Options of `MultiHeadAttention.forward`. */
export interface AttentionForwardOptions {
  /** Cached keys/values of earlier positions; the new ones are appended. */
  cache?: KVCache;
  /** Keep the attention weights [B, nHeads, T, Tk] in `lastAttentionWeights` (the caller disposes them). */
  returnWeights?: boolean;
}

/** The book's MultiHeadAttention: causal mask, 1/sqrt(headDim) scaling, dropout on the weights, out_proj. */
export class MultiHeadAttention extends Module {
  readonly headDim: number;
  /** Query projection, weight [dIn, dOut]. */
  readonly W_query: Linear;
  /** Key projection, weight [dIn, dOut]. */
  readonly W_key: Linear;
  /** Value projection, weight [dIn, dOut]. */
  readonly W_value: Linear;
  /** Output projection [dOut, dOut]. */
  readonly out_proj: Linear;
  readonly dropout: Dropout;
  /** Set by forward when `returnWeights`: [B, nHeads, T, Tk]. */
  lastAttentionWeights?: tf.Tensor4D;

  constructor(
    readonly dIn: number,
    readonly dOut: number,
    readonly contextLength: number,
    dropout: number,
    readonly numHeads: number,
    readonly qkvBias = false,
    opts: MultiHeadAttentionOptions = {},
  ) {
    super();
    if (dOut % numHeads !== 0)
      throw new ShapeMismatchError(
        `MultiHeadAttention: dOut ${dOut} is not divisible by numHeads ${numHeads}`,
      );
    const rng = opts.rng ?? new Rng(123);
    this.headDim = dOut / numHeads;
    this.W_query = this.registerModule('W_query', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.W_key = this.registerModule('W_key', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.W_value = this.registerModule('W_value', new Linear(dIn, dOut, { bias: qkvBias, rng }));
    this.out_proj = this.registerModule('out_proj', new Linear(dOut, dOut, { rng }));
    this.dropout = this.registerModule('dropout', new Dropout(dropout, { rng }));
  }

  /** x [B, T, dIn] -> [B, T, dOut]. With a cache, T new positions follow the cached ones. */
  forward(x: tf.Tensor3D, opts: AttentionForwardOptions = {}): tf.Tensor3D {
    const [b, t, dIn] = x.shape;
    if (x.rank !== 3 || dIn !== this.dIn)
      throw new ShapeMismatchError(
        `MultiHeadAttention: input [${x.shape.join(',')}] is not [B, T, ${this.dIn}]`,
      );
    return tf.tidy(() => {
      const y = this.forwardFlat(tf.reshape(x, [1, b * t, dIn]), b, t, opts); // (B,T,dIn) -> (1,B*T,dIn)
      return tf.reshape(y, [b, t, this.dOut]) as tf.Tensor3D; // (B*T, dOut) -> (B, T, dOut)
    });
  }

  /**
   * Same as forward on rows flattened to x [B*T, dIn] or [1, B*T, dIn] -> the same rank with dOut
   * (GPTModel keeps activations flat between blocks, which saves reshapes).
   */
  forwardFlat<X extends tf.Tensor>(x: X, b: number, t: number, opts: AttentionForwardOptions = {}): X {
    const { cache, returnWeights } = opts;
    const offset = cache ? cache.length : 0;
    // as CausalAttention: the causal mask (the book's buffer) covers contextLength positions
    if (offset + t > this.contextLength)
      throw new ShapeMismatchError(
        `MultiHeadAttention: ${offset + t} positions exceed contextLength ${this.contextLength}`,
      );
    const h = this.numHeads;
    const hd = this.headDim;
    const dOut = this.dOut;
    let weightsOut: tf.Tensor4D | undefined;
    const out = tf.tidy(() => {
      const [q, k, v] = this.project(x); // each (B*T, dOut)
      let qh: tf.Tensor3D;
      let kT: tf.Tensor3D;
      let vh: tf.Tensor3D;
      if (t === 1) {
        // One position per row: splitting heads is a reshape, no transpose.
        qh = tf.reshape(q, [b * h, 1, hd]) as tf.Tensor3D; // (B, dOut) -> (B*H, 1, hd)
        kT = tf.reshape(k, [b * h, hd, 1]) as tf.Tensor3D; // (B, dOut) -> (B*H, hd, 1)
        vh = tf.reshape(v, [b * h, 1, hd]) as tf.Tensor3D;
      } else {
        // (B*T, dOut) -> (B, T, H, hd) -> (B, H, T, hd) -> (B*H, T, hd)
        const heads = (z: tf.Tensor) =>
          tf.reshape(tf.transpose(tf.reshape(z, [b, t, h, hd]), [0, 2, 1, 3]), [b * h, t, hd]) as tf.Tensor3D;
        qh = heads(q);
        vh = heads(v);
        // keys transposed: (B*T, dOut) -> (B, T, H, hd) -> (B, H, hd, T) -> (B*H, hd, T)
        kT = tf.reshape(tf.transpose(tf.reshape(k, [b, t, h, hd]), [0, 2, 3, 1]), [
          b * h,
          hd,
          t,
        ]) as tf.Tensor3D;
      }
      if (cache) ({ keysT: kT, values: vh } = cache.append(kT, vh));
      const tk = kT.shape[2];
      const scores = batchMatMul(qh, kT); // (B*H, T, Tk)
      const mask = t > 1 || offset + t < tk ? causalMask(t, tk, offset) : undefined;
      let weights = maskedSoftmax(scores, 1 / Math.sqrt(hd), mask); // over the last axis (keys)
      weights = this.dropout.forward(weights);
      if (returnWeights) weightsOut = tf.keep(tf.reshape(weights, [b, h, t, tk])) as tf.Tensor4D; // (B*H,T,Tk) -> (B,H,T,Tk)
      const ctx = batchMatMul(weights as tf.Tensor3D, vh); // (B*H, T, hd)
      const rowsShape = [...x.shape.slice(0, -1), dOut]; // (B*T, dOut) or (1, B*T, dOut)
      const merged =
        t === 1
          ? tf.reshape(ctx, rowsShape) // (B*H, 1, hd) -> (B, dOut)
          : tf.reshape(tf.transpose(tf.reshape(ctx, [b, h, t, hd]), [0, 2, 1, 3]), rowsShape); // -> (B, T, H, hd) -> (B*T, dOut)
      return this.out_proj.forward(merged) as X;
    });
    if (returnWeights) this.lastAttentionWeights = weightsOut;
    return out;
  }

  /**
   * The book's three projections: queries, keys, values of x [..., dIn] -> each [..., dOut]. Three
   * products: one product over the weights concatenated measured slower on the chapter 5 step (the
   * concat is a copy per step, and inference would lose the per-weight packed caches).
   */
  private project(x: tf.Tensor): [tf.Tensor, tf.Tensor, tf.Tensor] {
    return [this.W_query.forward(x), this.W_key.forward(x), this.W_value.forward(x)];
  }
}
