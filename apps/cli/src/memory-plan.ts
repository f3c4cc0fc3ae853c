// The memory plan as the commands use it (nn's planTraining / planInference over gpt-model's profile):
// decided from the config before the model is built or loaded, so a model that will be streamed is
// never whole on the device; re-decided once the trainable parameters are known; printed once as
// `memory plan: ...` (stderr) and returned for --json output.
import {
  applyMemoryPlan,
  gptMemoryProfile,
  modelMemoryProfile,
  type GPTConfig,
  type GPTModel,
} from '@llmfs/gpt-model';
import os from 'node:os';
import { planInference, planTraining, type MemoryPlan, type ParameterPlacement } from '@llmfs/nn';

/** The batch shape a plan is made for. */
export interface PlanShape {
  batchSize: number;
  /** Tokens per row (at most the model's context). */
  seqLen: number;
  /** --micro-batches: force this many passes per batch. */
  microBatches?: number;
}

/** A plan shape with this machine's memory, so that a model the host cannot hold is refused up front. */
function withHost<S extends PlanShape>(shape: S): S & { hostBytes: number } {
  return { ...shape, hostBytes: os.totalmem() };
}

/** The plan's fields for --json output. */
export function planJson(plan: MemoryPlan): Record<string, unknown> {
  return {
    task: plan.task,
    backend: plan.backend,
    mode: plan.mode,
    microBatches: plan.microBatches,
    recompute: plan.recompute,
    headChunkTokens: Number.isFinite(plan.headChunkTokens) ? plan.headChunkTokens : null,
    hostSegments: plan.hostSegments.length,
    estimatedPeakBytes: Math.round(plan.estimatedPeakBytes),
    budgetBytes: Number.isFinite(plan.budgetBytes) ? plan.budgetBytes : null,
  };
}

/** Where to make a model's parameters for training at `shape`, with every parameter trainable. */
export function trainingPlacement(cfg: GPTConfig, shape: PlanShape): ParameterPlacement {
  const plan = planTraining(gptMemoryProfile(cfg, { seqLen: shape.seqLen }), withHost(shape));
  return { onHost: plan.mode === 'streamed' };
}

/** Plans a training step for the built model (its trainable set as it is now), applies and prints it. */
export function planModelTraining(
  model: GPTModel,
  shape: PlanShape,
  log: (line: string) => void,
): MemoryPlan {
  const plan = planTraining(modelMemoryProfile(model, { seqLen: shape.seqLen }), withHost(shape));
  applyMemoryPlan(model, plan);
  log(`memory plan: ${plan.summary}`);
  return plan;
}

/** Where to load a model for inference: on the host when the plan streams any of it. */
export function inferencePlacement(
  cfg: GPTConfig,
  shape: PlanShape & { logitsPerRow?: number },
): ParameterPlacement {
  const plan = planInference(gptMemoryProfile(cfg, { seqLen: shape.seqLen }), withHost(shape));
  return { onHost: plan.mode === 'streamed' };
}

/** Plans inference for the loaded model, moves its segments accordingly and prints the plan. */
export function planModelInference(
  model: GPTModel,
  shape: PlanShape & { logitsPerRow?: number },
  log: (line: string) => void,
): MemoryPlan {
  const plan = planInference(modelMemoryProfile(model, { seqLen: shape.seqLen }), withHost(shape));
  applyMemoryPlan(model, plan);
  log(`memory plan: ${plan.summary}`);
  return plan;
}
