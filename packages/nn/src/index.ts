// @llmfs/nn: TensorFlow.js plumbing shared by the model packages (backend, Module, layers, RNG).
export { initBackend, isNode } from './init-backend.js';
export type { BackendName, InitBackendOptions } from './init-backend.js';
export { Rng } from './rng.js';
export { Module } from './module.js';
export type { LoadStateDictOptions } from './module.js';
export { Linear, uniformTensor } from './linear.js';
export type { LinearOptions } from './linear.js';
export { matMul2d, batchMatMul, isRecordingGradients } from './mat-mul-2d.js';
export { Embedding, embeddingLookup, normalTensor } from './embedding.js';
export type { EmbeddingOptions } from './embedding.js';
export { Dropout } from './dropout.js';
export type { DropoutOptions } from './dropout.js';
export { disposeTensors, countNewTensors } from './memory.js';
export { preferHostOptimizerState } from './prefer-host-optimizer-state.js';
export { NNError, ShapeMismatchError, MissingParameterError, BackendError } from './errors.js';
export { Sequential } from './sequential.js';
export type { Layer } from './sequential.js';
export { layerNormInference, geluInference } from './fused-inference.js';
