// Module: a tree of named parameters (PyTorch's nn.Module, reduced to what llmfs needs).
// Dot-separated names are stable and form the state dict (docs/design.md lists GPTModel's).
import * as tf from '@tensorflow/tfjs';
import { MissingParameterError, NNError, ShapeMismatchError } from './errors.js';
import { assignValues, isOnHost } from './host-residency.js';
import { placeNewParameter } from './parameter-placement.js';
import { releasePackedWeights } from './release-weight-caches.js';
import { releaseVocabShards } from './vocab-shards.js';

/** Options of `Module.loadStateDict`. */
export interface LoadStateDictOptions {
  /** Throw on missing or unexpected names (default true). */
  strict?: boolean;
}

/** Base class of every layer: parameters, submodules, train/eval mode, state dict in/out. */
export abstract class Module {
  /** Training mode (dropout active). */
  training = true;
  private readonly ownParams = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /**
   * Sets training mode on this module and every submodule. Going back from eval to training frees the
   * backend caches the evaluation left on this module's weights (XNNPACK's packed copies on wasm, see
   * releaseWeightCaches), so that no caller has to remember it.
   */
  train(mode = true): this {
    if (mode && !this.training) releasePackedWeights([...this.ownParams.values()]);
    this.training = mode;
    for (const m of this.children.values()) m.train(mode);
    return this;
  }

  /** Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * Registers a parameter under `name`; takes ownership of `value` (a plain tensor is turned into a
   * variable and disposed; a variable is used as is).
   */
  registerParameter(name: string, value: tf.Tensor, trainable = true): tf.Variable {
    if (this.ownParams.has(name) || this.children.has(name))
      throw new NNError(`registerParameter: '${name}' already registered`);
    let v: tf.Variable;
    if (value instanceof tf.Variable) {
      v = value;
      v.trainable = trainable;
    } else {
      v = tf.variable(value, trainable);
      value.dispose();
    }
    placeNewParameter(v);
    this.ownParams.set(name, v);
    return v;
  }

  /** Registers a submodule under `name` (its parameters become `name.<param>`). */
  registerModule<M extends Module>(name: string, m: M): M {
    if (this.ownParams.has(name) || this.children.has(name))
      throw new NNError(`registerModule: '${name}' already registered`);
    this.children.set(name, m);
    return m;
  }

  /**
   * Replaces the submodule registered as `name`, keeping its name and position (PyTorch's
   * `setattr(parent, name, new)`); fields of this object that held the old module now hold the new one.
   * The old module is not disposed (its parameters may live on inside the new one).
   */
  replaceModule<M extends Module>(name: string, m: M): M {
    const old = this.children.get(name);
    if (!old) throw new NNError(`replaceModule: no submodule '${name}'`);
    this.children.set(name, m);
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(self)) if (self[key] === old) self[key] = m;
    return m;
  }

  /** Direct submodules in registration order. */
  namedChildren(): Array<[string, Module]> {
    return [...this.children.entries()];
  }

  /** All parameters as [dot path, variable], in registration order (own first, then children). */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [n, v] of this.ownParams) out.push([prefix + n, v]);
    for (const [n, m] of this.children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  /** All parameter variables. */
  parameters(): tf.Variable[] {
    return this.namedParameters().map(([, v]) => v);
  }

  /** Parameters whose `trainable` flag is set. */
  trainableParameters(): Array<[string, tf.Variable]> {
    return this.namedParameters().filter(([, v]) => v.trainable);
  }

  /** Name -> live variable (not copies). */
  stateDict(): Map<string, tf.Variable> {
    return new Map(this.namedParameters());
  }

  /** Copies values in, checking every name and shape. Float tensors of another dtype are cast. */
  loadStateDict(
    dict: Map<string, tf.Tensor> | Record<string, tf.Tensor>,
    opts: LoadStateDictOptions = {},
  ): void {
    const strict = opts.strict ?? true;
    const src = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.namedParameters();
    const names = new Set(own.map(([n]) => n));
    if (strict) {
      for (const n of src.keys())
        if (!names.has(n))
          throw new MissingParameterError(
            `loadStateDict: unexpected tensor '${n}' (the model has no such parameter)`,
          );
    }
    // Check everything before assigning anything, so a failed load leaves the model unchanged.
    for (const [n, v] of own) {
      const t = src.get(n);
      if (!t) {
        if (strict)
          throw new MissingParameterError(`loadStateDict: missing tensor '${n}' [${v.shape.join(',')}]`);
        continue;
      }
      if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i])) {
        throw new ShapeMismatchError(
          `loadStateDict: '${n}' has shape [${t.shape.join(',')}], the model expects [${v.shape.join(',')}]`,
        );
      }
    }
    for (const [n, v] of own) {
      const t = src.get(n);
      if (!t) continue;
      if (isOnHost(v) && v.dtype === 'float32') {
        // host-resident (streamed) parameters are written where they live: assign would move them
        assignValues(
          v,
          (t.dtype === 'float32' ? t.dataSync() : Float32Array.from(t.dataSync())) as Float32Array,
        );
      } else if (t.dtype === v.dtype) v.assign(t);
      else {
        const c = tf.cast(t, v.dtype);
        v.assign(c);
        c.dispose();
      }
    }
  }

  /** Freezes (false) or unfreezes (true) every parameter of the subtree. */
  setTrainable(trainable: boolean): this {
    for (const v of this.parameters()) v.trainable = trainable;
    return this;
  }

  /** Number of scalar parameters (all, or trainable only). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    let n = 0;
    for (const v of this.parameters()) if (!opts.trainableOnly || v.trainable) n += v.size;
    return n;
  }

  /** Disposes every parameter of the subtree. */
  dispose(): void {
    releaseVocabShards(this.parameters()); // the device copies of weights over a webgpu binding limit
    for (const v of this.parameters()) v.dispose();
  }
}
