// AdamW with PyTorch's semantics (torch.optim.AdamW, book ch05): decoupled weight decay
// p -= lr * wd * p, then Adam with bias correction and eps added after sqrt(v_hat).
// Moments are kept per parameter name, so they save and restore by name. On backends whose tensors live
// in host memory (wasm, cpu: nn's preferHostOptimizerState) the moments and the update arithmetic stay in
// plain Float32Arrays outside the tensor engine: GPT-2 124M's 1.3 GB of moments do not fit next to its
// parameters, gradients and activations in wasm's 4 GiB heap.
import * as tf from '@tensorflow/tfjs';
import {
  hostTensor,
  isOnHost,
  needsVocabShards,
  preferHostOptimizerState,
  readHostViews,
  writableHostValues,
  writeHostTensor,
} from '@llmfs/nn';
import { TrainerError } from './errors.js';

/** Options of {@link AdamW} (PyTorch defaults except lr). */
export interface AdamWOptions {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /**
   * Keep the moments in host Float32Arrays and update in JavaScript, one parameter at a time
   * (default: `preferHostOptimizerState()`, true on wasm and cpu); false keeps them as tensors.
   */
  hostState?: boolean;
}

/** Options of {@link AdamW.step}. */
export interface AdamWStepOptions {
  /** Dispose each gradient as soon as it has been read (frees memory during the update). */
  disposeGrads?: boolean;
}

interface Moments {
  m: tf.Variable | Float32Array;
  v: tf.Variable | Float32Array;
  step: number;
}

/** torch.optim.AdamW over named variables; parameters without a gradient (frozen) are skipped. */
export class AdamW {
  lr: number;
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** Whether the moments live in host memory (see {@link AdamWOptions.hostState}). */
  readonly hostState: boolean;
  private readonly params: Map<string, tf.Variable>;
  private readonly state = new Map<string, Moments>();
  /** Number of `step` calls so far. */
  stepCount = 0;

  constructor(params: Array<[string, tf.Variable]>, opts: AdamWOptions) {
    this.params = new Map(params);
    if (this.params.size !== params.length) throw new TrainerError('AdamW: parameter names must be unique');
    this.lr = opts.lr;
    this.betas = opts.betas ?? [0.9, 0.999];
    this.eps = opts.eps ?? 1e-8;
    this.weightDecay = opts.weightDecay ?? 0.01;
    this.hostState = opts.hostState ?? preferHostOptimizerState();
  }

  /** Applies one update from gradients keyed by parameter name (missing names are left alone). */
  step(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>, opts: AdamWStepOptions = {}): void {
    const entries = grads instanceof Map ? [...grads.entries()] : Object.entries(grads);
    this.stepCount++;
    for (const [name, g] of entries) {
      const p = this.params.get(name);
      if (!p) throw new TrainerError(`AdamW: gradient for unknown parameter '${name}'`);
      if (!p.trainable) continue;
      if (g.shape.join(',') !== p.shape.join(',')) {
        throw new TrainerError(`AdamW: gradient of '${name}' is [${g.shape}], parameter is [${p.shape}]`);
      }
      let st = this.state.get(name);
      if (!st) {
        st = this.hostOf(p)
          ? { m: new Float32Array(p.size), v: new Float32Array(p.size), step: 0 }
          : { m: tf.variable(tf.zerosLike(p), false), v: tf.variable(tf.zerosLike(p), false), step: 0 };
        this.state.set(name, st);
      }
      st.step++;
      if (st.m instanceof Float32Array) this.hostUpdate(p, g, st as HostMoments, opts.disposeGrads ?? false);
      else {
        this.tensorUpdate(p, g, st as TensorMoments);
        if (opts.disposeGrads) g.dispose();
      }
    }
  }

  /**
   * Whether `p`'s moments live in host memory: with `hostState`, and always for a parameter kept in host
   * memory or over a webgpu binding limit (nn's vocabulary shards: tensor moments would be bound whole).
   */
  private hostOf(p: tf.Variable): boolean {
    return this.hostState || isOnHost(p) || needsVocabShards(p);
  }

  /**
   * One parameter's update in JavaScript over host arrays. The gradient and the parameter are read, and
   * the new parameter written, in place in the backend's memory (nn's host views: no copies on wasm).
   */
  private hostUpdate(p: tf.Variable, g: tf.Tensor, st: HostMoments, disposeGrad: boolean): void {
    const bc1 = 1 - Math.pow(this.betas[0], st.step);
    const bc2 = 1 - Math.pow(this.betas[1], st.step);
    const loop = (gd: Float32Array, pd: Float32Array, out: Float32Array) =>
      adamwHostLoop(
        gd,
        pd,
        st.m,
        st.v,
        out,
        this.betas[0],
        this.betas[1],
        1 - this.lr * this.weightDecay,
        this.lr / bc1,
        Math.sqrt(bc2),
        this.eps,
      );
    const inPlace = writableHostValues(p);
    if (inPlace) {
      // a host-resident parameter (nn's memory plan streams the model) is updated where it lives
      readHostViews([g], (gd) => loop(gd, inPlace, inPlace));
      if (disposeGrad) g.dispose();
      return;
    }
    const next = writeHostTensor(p.shape, [g, p], (out, gd, pd) => loop(gd, pd, out));
    if (disposeGrad) g.dispose();
    p.assign(next);
    next.dispose();
  }

  /** One parameter's update with tensor ops, freeing each intermediate as soon as it is used. */
  private tensorUpdate(p: tf.Variable, g: tf.Tensor, st: TensorMoments): void {
    const [b1, b2] = this.betas;
    const bc1 = 1 - Math.pow(b1, st.step);
    const bc2 = 1 - Math.pow(b2, st.step);
    // Each intermediate is freed as soon as it is used (not at the end of one tidy): with GPT-2's
    // 154 MB token embedding, a dozen live temporaries would not fit wasm's 4 GB heap.
    const m = binary(tf.mul(st.m, b1), tf.mul(g, 1 - b1), tf.add);
    st.m.assign(m);
    m.dispose();
    const v = binary(
      tf.mul(st.v, b2),
      unary(tf.square(g), (x) => tf.mul(x, 1 - b2)),
      tf.add,
    );
    st.v.assign(v);
    v.dispose();
    // denom = sqrt(v) / sqrt(bc2) + eps; p = p * (1 - lr * wd) - (lr / bc1) * m / denom  (torch's order)
    const denom = unary(
      unary(tf.sqrt(st.v), (x) => tf.div(x, Math.sqrt(bc2))),
      (x) => tf.add(x, this.eps),
    );
    const upd = unary(binary(tf.clone(st.m), denom, tf.div), (x) => tf.mul(x, this.lr / bc1));
    const decayed = this.weightDecay !== 0 ? tf.mul(p, 1 - this.lr * this.weightDecay) : tf.clone(p);
    const next = binary(decayed, upd, tf.sub);
    p.assign(next);
    next.dispose();
  }

  /**
   * Optimizer state by parameter name: `<name>.exp_avg`, `<name>.exp_avg_sq` (copies) and
   * `<name>.step` (float32 scalar), plus `__adamw__.step_count`. The caller disposes the tensors.
   */
  stateDict(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>();
    for (const [name, s] of this.state) {
      const shape = this.params.get(name)!.shape;
      const copy = (x: tf.Variable | Float32Array) =>
        // host moments stay in host memory (nn's hostTensor): a checkpoint must not need heap room for them
        x instanceof Float32Array ? hostTensor(x.slice(), shape) : tf.clone(x);
      out.set(`${name}.exp_avg`, copy(s.m));
      out.set(`${name}.exp_avg_sq`, copy(s.v));
      out.set(`${name}.step`, tf.scalar(s.step, 'float32'));
    }
    out.set('__adamw__.step_count', tf.scalar(this.stepCount, 'float32'));
    return out;
  }

  /** Restores a {@link stateDict}; throws naming the parameter when names or shapes do not match. */
  loadStateDict(dict: Map<string, tf.Tensor>): void {
    const read = (key: string): tf.Tensor => {
      const t = dict.get(key);
      if (!t) throw new TrainerError(`AdamW.loadStateDict: missing '${key}'`);
      return t;
    };
    const names = new Set<string>();
    for (const key of dict.keys()) {
      const m = /^(.*)\.(exp_avg|exp_avg_sq|step)$/.exec(key);
      if (m) names.add(m[1]);
      else if (key !== '__adamw__.step_count')
        throw new TrainerError(`AdamW.loadStateDict: unexpected entry '${key}'`);
    }
    const loaded = new Map<string, { m: tf.Tensor; v: tf.Tensor; step: number }>();
    for (const name of names) {
      const p = this.params.get(name);
      if (!p) throw new TrainerError(`AdamW.loadStateDict: state for unknown parameter '${name}'`);
      const m = read(`${name}.exp_avg`);
      const v = read(`${name}.exp_avg_sq`);
      for (const [k, t] of [
        ['exp_avg', m],
        ['exp_avg_sq', v],
      ] as const) {
        if (t.shape.join(',') !== p.shape.join(',')) {
          throw new TrainerError(
            `AdamW.loadStateDict: '${name}.${k}' is [${t.shape}], parameter is [${p.shape}]`,
          );
        }
      }
      loaded.set(name, { m, v, step: read(`${name}.step`).dataSync()[0] });
    }
    this.disposeState();
    for (const [name, s] of loaded) {
      this.state.set(
        name,
        this.hostOf(this.params.get(name)!)
          ? { m: hostCopy(s.m), v: hostCopy(s.v), step: s.step }
          : {
              m: tf.variable(tf.cast(s.m, 'float32'), false),
              v: tf.variable(tf.cast(s.v, 'float32'), false),
              step: s.step,
            },
      );
    }
    const count = dict.get('__adamw__.step_count');
    this.stepCount = count ? count.dataSync()[0] : 0;
  }

  /** Frees the moment tensors. */
  dispose(): void {
    this.disposeState();
  }

  private disposeState(): void {
    for (const s of this.state.values()) {
      if (!(s.m instanceof Float32Array)) tf.dispose([s.m, s.v as tf.Variable]);
    }
    this.state.clear();
  }
}

/**
 * The element loop of the host update (a top-level function with typed-array arguments, optimized once
 * by V8 for every parameter). torch's order:
 * m, v updated; p * (1 - lr * wd) - (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps).
 */
function adamwHostLoop(
  g: Float32Array,
  p: Float32Array,
  m: Float32Array,
  v: Float32Array,
  out: Float32Array,
  b1: number,
  b2: number,
  decay: number,
  stepSize: number,
  sqrtBc2: number,
  eps: number,
): void {
  const n = out.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    out[i] = p[i] * decay - (stepSize * mi) / (Math.sqrt(vi) / sqrtBc2 + eps);
  }
}

type HostMoments = { m: Float32Array; v: Float32Array; step: number };
type TensorMoments = { m: tf.Variable; v: tf.Variable; step: number };

/** A float32 host copy of a tensor's values. */
function hostCopy(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32') return Float32Array.from(t.dataSync() as Float32Array);
  const c = tf.cast(t, 'float32');
  const out = Float32Array.from(c.dataSync() as Float32Array);
  c.dispose();
  return out;
}

/** f(x), disposing x. */
function unary(x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = f(x);
  x.dispose();
  return r;
}

/** f(a, b), disposing a and b. */
function binary(a: tf.Tensor, b: tf.Tensor, f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.Tensor {
  const r = f(a, b);
  a.dispose();
  b.dispose();
  return r;
}
