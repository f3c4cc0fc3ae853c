// Puts a GPTModel's parameters where nn's memory plan says: the segments it streams go to host memory
// (GPTModel.forward and the trainer's streamed step upload them segment by segment), the rest to the device.
import { moveToDevice, moveToHost, type MemoryPlan } from '@llmfs/nn';
import type { GPTModel } from './gpt-model.js';
import { gptMemoryProfile, type GPTMemoryProfileOptions } from './memory-profile.js';

/** Moves each segment's parameters to host memory or onto the device, as `plan.hostSegments` says. */
export function applyMemoryPlan(model: GPTModel, plan: Pick<MemoryPlan, 'hostSegments'>): void {
  const onHost = new Set(plan.hostSegments);
  for (const [name, params] of model.segmentParameters()) {
    if (onHost.has(name)) moveToHost(params);
    else moveToDevice(params);
  }
}

/** gptMemoryProfile of a built model: its own config, head width and trainable parameters. */
export function modelMemoryProfile(
  model: GPTModel,
  opts: Omit<GPTMemoryProfileOptions, 'trainable' | 'numClasses'> = {},
) {
  const numClasses = model.out_head.outFeatures;
  return gptMemoryProfile(model.cfg, {
    ...opts,
    numClasses,
    trainable: model.trainableParameters().map(([n, v]) => [n, { size: v.size }]),
  });
}
