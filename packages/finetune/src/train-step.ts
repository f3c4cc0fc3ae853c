// One optimizer step over the model's trainable parameters: loss, gradients, AdamW update, no leaks.
import * as tf from '@tensorflow/tfjs';

/** What a training step needs of a model (GPTModel fits). */
export interface StepModel {
  trainableParameters(): Array<[string, tf.Variable]>;
}

/** What a training step needs of an optimizer (@llmfs/trainer's AdamW fits). */
export interface StepOptimizer {
  step(grads: Map<string, tf.Tensor>): void;
}

/** Computes `lossFn()`, its gradients for every trainable parameter, applies them; returns the loss. */
export function trainStep(model: StepModel, optimizer: StepOptimizer, lossFn: () => tf.Scalar): number {
  const params = model.trainableParameters();
  const byVar = new Map(params.map(([name, v]) => [v.name, name]));
  const { value, grads } = tf.variableGrads(
    lossFn,
    params.map(([, v]) => v),
  );
  const named = new Map<string, tf.Tensor>();
  for (const [varName, g] of Object.entries(grads)) named.set(byVar.get(varName)!, g);
  optimizer.step(named);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  return loss;
}
