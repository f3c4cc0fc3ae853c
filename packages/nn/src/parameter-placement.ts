// Where new parameters are made, and whether they get their random init. A model about to be loaded
// from a file needs neither the init (GPT-2 xl: 1.5 billion normal draws, then thrown away) nor, when
// the memory plan streams it, any room on the device: each parameter goes to host memory as it is made,
// so the device never holds more than one of them.
import { moveToHost } from './host-residency.js';
import type * as tf from '@tensorflow/tfjs';

/** Options of {@link createParameters}. */
export interface ParameterPlacement {
  /** Keep each new parameter in host memory (nn's host residency). */
  onHost?: boolean;
  /** Fill weights with zeros instead of drawing their init (they are about to be overwritten). */
  skipInit?: boolean;
}

let current: ParameterPlacement = {};

/** Builds modules (`build`) with their parameters placed and initialised as `placement` says. */
export function createParameters<T>(placement: ParameterPlacement, build: () => T): T {
  const outer = current;
  current = { ...outer, ...placement };
  try {
    return build();
  } finally {
    current = outer;
  }
}

/** True inside `createParameters({ skipInit: true }, ...)`. */
export function initSkipped(): boolean {
  return current.skipInit === true;
}

/** Called by Module.registerParameter for each new parameter. */
export function placeNewParameter(v: tf.Variable): void {
  if (current.onHost) moveToHost([v]);
}
