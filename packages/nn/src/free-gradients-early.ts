// tfjs's backward pass (tfjs-core tape.ts, backpropagateGradients) keeps the gradient flowing into every
// taped op, and every tensor the ops saved, until the whole pass ends: a taped GPT-2 124M step at batch
// 2, context 256 then needs more than wasm's 4 GiB heap, while what the walk needs at any moment is the
// gradients of the ops not yet reached. `freeGradientsEarly` wraps each node of the active tape so that
// once an op's input gradients are computed, the gradients of its outputs and its saved tensors are
// freed (what PyTorch's autograd does). `withGradientsFreedEarly(f)` is the forward to give
// tf.variableGrads; `gradientsFreeingEarly` is tf.engine().gradients with it. Uses tfjs's engine state (`activeTape`, each node's `gradient`, `inputs`, `saved`),
// checked by name in tfjs-internals.test.ts.
import * as tf from '@tensorflow/tfjs';

interface TapeNode {
  inputs: Record<string, tf.Tensor>;
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

const wrapped = new WeakSet<TapeNode>();

/** The tape tfjs is recording (inside tf.grad / tf.variableGrads), or undefined. */
export function activeTape(): TapeNode[] | undefined {
  const state = (tf.engine() as unknown as { state: { activeTape?: TapeNode[] | null } }).state;
  return state.activeTape ?? undefined;
}

/** Makes the recorded ops free their output gradients and saved tensors as soon as the backward walk leaves them. */
export function freeGradientsEarly(): void {
  const tape = activeTape();
  if (!tape) return;
  // The walk visits one node at a time and calls all of a node's input thunks before it asks the next
  // node for its gradient: that call is when the previous node's tensors are no longer needed. (tfjs walks
  // pruned copies of the nodes, so a node's own `inputs` may list inputs whose thunks are never called.)
  let pending: (() => void) | undefined;
  for (const node of tape) {
    const gradient = node.gradient;
    if (!gradient || wrapped.has(node)) continue;
    wrapped.add(node);
    node.gradient = (dys) => {
      pending?.();
      const thunks = gradient(dys);
      pending = () => {
        pending = undefined;
        for (const d of dys) d?.dispose();
        for (const s of node.saved ?? []) s.dispose();
      };
      const out: Record<string, () => tf.Tensor> = {};
      // Each result is cloned (a new handle on the same data), so no gradient object is both freed with
      // this node's outputs and kept as another tensor's gradient.
      for (const name of Object.keys(thunks)) out[name] = () => tf.clone(thunks[name]());
      return out;
    };
  }
}

/** `f`, then freeGradientsEarly: the forward to give tf.variableGrads / tf.engine().gradients. */
export function withGradientsFreedEarly<T>(f: () => T): () => T {
  return () => {
    const y = f();
    freeGradientsEarly();
    return y;
  };
}

/**
 * tf.engine().gradients(f, xs, dy) whose backward walk frees what it leaves behind. `dy` stays the
 * caller's: the walk frees a handle of its own on the same data.
 */
export function gradientsFreeingEarly<T extends tf.Tensor>(
  f: () => T,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
): { value: T; grads: tf.Tensor[] } {
  const own = dy && tf.clone(dy);
  try {
    return tf.engine().gradients(withGradientsFreedEarly(f), xs, own, true) as {
      value: T;
      grads: tf.Tensor[];
    };
  } finally {
    own?.dispose();
  }
}
