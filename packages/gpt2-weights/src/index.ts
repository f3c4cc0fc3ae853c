// @llmfs/gpt2-weights: GPT-2 weights in and out of llmfs (book ch. 5): safetensors, OpenAI's TensorFlow
// checkpoints read without TensorFlow, Hugging Face / OpenAI name mapping, model directories, downloads.
// Node-only functions load node:fs lazily, so the browser build can use the in-memory and File readers.
export {
  GPT2WeightsError,
  SafetensorsError,
  CheckpointError,
  WeightMappingError,
  DownloadError,
  OutputPathError,
  LockHeldError,
} from './errors.js';
// Run directories are locked by the CLI (one writer per folder).
export { acquireFileLock, describeLockOwner } from './lock-file.js';
export type { AcquireLockOptions, FileLock, LockOwner } from './lock-file.js';
// safetensors: read (bytes, or a browser File/Blob tensor by tensor) and write
export { blobSource } from './byte-source.js';
export type { ByteSource } from './byte-source.js';
export { SafetensorsReader, readSafetensors, readSafetensorsAsync } from './safetensors-reader.js';
export type { FloatTensor } from './safetensors-reader.js';
export { serializeSafetensors } from './safetensors-writer.js';
export type { TensorToWrite, TensorsToWrite, WriteDtype } from './safetensors-writer.js';
export { openSafetensorsFile, writeSafetensors } from './safetensors-file.js';
// OpenAI's TensorFlow checkpoints (the book's download), read without TensorFlow
export { openTfCheckpoint, readTfCheckpoint } from './tf-checkpoint-file.js';
export type { TfTensor } from './tf-bundle.js';
// The one name mapping (Hugging Face / OpenAI <-> llmfs) and config.json / hparams.json
export {
  gpt2Mapping,
  hfStateToLlmfs,
  openaiStateToLlmfs,
  llmfsStateToHf,
  llmfsStateToOpenai,
  transpose2d,
  gpt2FileTensors,
  joinParts,
  splitParts,
} from './weight-mapping.js';
export type { FileTensor, MappingConfig, MappingEntry, NamedTensor } from './weight-mapping.js';
export { configFromHf, configToHf, configFromHparams, configToHparams } from './model-config.js';
export type { LlmfsConfigBlock } from './model-config.js';
// Model directories (the book's load_weights_into_gpt), conversion and downloads
export { openWeightSource } from './weight-source.js';
export type { WeightSource } from './weight-source.js';
export { loadModelDirectory, loadWeightsIntoGpt } from './load-model-directory.js';
export type { LoadedModel, LoadModelOptions } from './load-model-directory.js';
export { saveModelDirectory } from './save-model-directory.js';
export type { SaveModelOptions } from './save-model-directory.js';
export { convertModelDirectory } from './convert-model-directory.js';
export type { ConvertOptions } from './convert-model-directory.js';
export { downloadFile } from './download-file.js';
export type { DownloadFileOptions } from './download-file.js';
export { resolveModel, downloadModel, defaultCacheDir, findRelease, GPT2_RELEASES } from './resolve-model.js';
export type { Gpt2Release, ResolveModelOptions } from './resolve-model.js';
export { loadModelFromSafetensors } from './load-model-from-safetensors.js';
export { gpt2CheckpointIO } from './gpt2-checkpoint-io.js';
export {
  MANIFEST_FILE,
  checkpointName,
  findResumeCheckpoint,
  listCheckpoints,
  removeCheckpointDir,
} from './checkpoint-store.js';
export type { CheckpointEntry } from './checkpoint-store.js';
