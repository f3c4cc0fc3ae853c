// Typed errors of @llmfs/nn: one-line messages naming the tensor, parameter or backend at fault.

/** Base class of every error thrown by @llmfs/nn. */
export class NNError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor's shape differs from the parameter or operation it was meant for. */
export class ShapeMismatchError extends NNError {}

/** A state dict lacks a parameter the module owns (or names one it does not own, when strict). */
export class MissingParameterError extends NNError {}

/** The requested TensorFlow.js backend cannot be loaded or initialised here. */
export class BackendError extends NNError {}
