// softmax(scores * scale + mask) over the last axis (book section 3.5: scaled, causally masked attention
// weights) with one saved tensor. Left to autodiff, the tape keeps the raw scores, the scaled scores and
// the softmax for the backward pass: three [B*H, T, Tk] tensors per block, the largest part of a taped
// block at context 256. The gradient is the one autodiff computes, op for op (softmax's, then the scale).
import * as tf from '@tensorflow/tfjs';
import { isRecordingGradients } from '@llmfs/nn';

function forwardValue(scores: tf.Tensor, scale: number, mask: tf.Tensor | undefined): tf.Tensor {
  return tf.tidy(() => {
    const scaled = tf.mul(scores, scale);
    return tf.softmax(mask ? tf.add(scaled, mask) : scaled);
  });
}

/** Attention weights softmax(scores * scale + mask); `mask` (additive, e.g. [T, Tk]) broadcasts. */
export function maskedSoftmax(scores: tf.Tensor, scale: number, mask?: tf.Tensor): tf.Tensor {
  if (!isRecordingGradients()) return forwardValue(scores, scale, mask);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [s, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const weights = forwardValue(s, scale, mask);
    save([weights]);
    return {
      value: weights,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const y = saved[0];
          // softmax's gradient: dy*y - sum(dy*y) * y, then the scale's: * scale
          const dyTimesY = tf.mul(dy, y);
          const dLogits = tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, -1, true), y));
          return tf.mul(dLogits, scale);
        }),
    };
  });
  return op(scores);
}
