// @llmfs/nn: TensorFlow.js plumbing shared by the model packages (backend, Module, layers, RNG).
export { initBackend, releaseBackend } from './init-backend.js';
export {
  bindingLimit,
  lowerBindingLimit,
  assertWithinBindingLimit,
  logitRowsPerChunk,
  webgpuAdapterName,
  BindingLimitError,
} from './binding-limit.js';
export { needsVocabShards, shardBounds, variableGradsWithShards } from './vocab-shards.js';
export { peekValues } from './peek-values.js';
export { adapterName, isSoftwareAdapter } from './webgpu-node.js';
export type { BackendName, InitBackendOptions } from './init-backend.js';
export { Rng, DEFAULT_RNG_SEED } from './rng.js';
export { Module } from './module.js';
export type { LoadStateDictOptions } from './module.js';
export { Linear, uniformTensor } from './linear.js';
export type { LinearOptions } from './linear.js';
export { matMul2d, batchMatMul, isRecordingGradients } from './mat-mul-2d.js';
export { withoutGradients } from './without-gradients.js';
export { gradientsFreeingEarly, withGradientsFreedEarly } from './free-gradients-early.js';
export { Embedding } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { Dropout } from './dropout.js';
export type { DropoutOptions } from './dropout.js';
export { preferHostOptimizerState } from './prefer-host-optimizer-state.js';
export { prefersExplicitTranspose, prefersHostGradientSums } from './backend-preferences.js';
export { readHostViews, writeHostTensor } from './host-views.js';
export { wasmThreadsCount } from './wasm-threads.js';
export { releaseWeightCaches } from './release-weight-caches.js';
export { NNError, ShapeMismatchError, MissingParameterError, BackendError } from './errors.js';
export { Sequential } from './sequential.js';
export type { Layer } from './sequential.js';
export { layerNormInference, geluInference } from './fused-inference.js';
export {
  isOnHost,
  moveToHost,
  moveToDevice,
  hostTensor,
  hostValues,
  writableHostValues,
  assignValues,
  withDeviceLease,
} from './host-residency.js';
export { createParameters } from './parameter-placement.js';
export type { ParameterPlacement } from './parameter-placement.js';
export { planTraining, planInference, MemoryPlanError } from './memory-plan.js';
export type { MemoryPlan, ModelMemoryProfile, SegmentProfile, PlanOptions } from './memory-plan.js';
export { checkWasmHealth } from './wasm-stderr.js';
