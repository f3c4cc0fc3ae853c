// Running part of a computation off tfjs's gradient tape, inside tf.variableGrads: what PyTorch does for
// tensors that need no gradient. Frozen layers ahead of the first trainable one (chapter 6's classifier)
// then keep no activations for a backward pass that never reaches them. Uses tfjs's engine state
// (gradientDepth), the same internal isRecordingGradients reads.
import * as tf from '@tensorflow/tfjs';

/** Runs `fn` with the gradient tape paused; its results carry no gradient. */
export function withoutGradients<T>(fn: () => T): T {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number } }).state;
  const depth = state.gradientDepth;
  if (depth === 0) return fn();
  state.gradientDepth = 0;
  try {
    return fn();
  } finally {
    state.gradientDepth = depth;
  }
}
