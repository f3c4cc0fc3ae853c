// @llmfs/gpt2-weights: GPT-2 weights in and out of llmfs (book ch. 5): safetensors, OpenAI's TensorFlow
// checkpoints read without TensorFlow, Hugging Face / OpenAI name mapping, model directories, downloads.
// Node-only functions load node:fs lazily, so the browser build can use the in-memory and File readers.
export {
  SafetensorsError,
  CheckpointError,
  WeightMappingError,
  DownloadError,
  OutputPathError,
  LockHeldError,
} from './errors.js';
export { acquireFileLock, describeLockOwner, lockOwnerAlive } from './lock-file.js';
export type { AcquireLockOptions, FileLock, LockOwner } from './lock-file.js';
export { assertFiniteWeights } from './finite-weights.js';
export { openShardedSafetensors, SAFETENSORS_INDEX_FILE } from './sharded-safetensors.js';
export type { TensorReader } from './sharded-safetensors.js';
export { crc32c, crc32cExtend, maskCrc, unmaskCrc } from './crc32c.js';
export {
  halfToFloat,
  floatToHalf,
  floatToBf16,
  decodeToFloat32,
  encodeFromFloat32,
  SAFETENSORS_DTYPE_SIZES,
} from './dtypes.js';
export { parseStrictJson, StrictJsonError } from './strict-json.js';
export type { JsonValue, JsonObject } from './strict-json.js';
export { bufferSource, blobSource } from './byte-source.js';
export type { ByteSource } from './byte-source.js';
export { MAX_HEADER_SIZE, parseSafetensorsHeader, readHeaderSize } from './safetensors-header.js';
export type { SafetensorsEntry, SafetensorsHeader } from './safetensors-header.js';
export { SafetensorsReader, readSafetensors, readSafetensorsAsync } from './safetensors-reader.js';
export type { FloatTensor } from './safetensors-reader.js';
export { serializeSafetensors } from './safetensors-writer.js';
export type { TensorToWrite, TensorsToWrite, WriteDtype } from './safetensors-writer.js';
export { openSafetensorsFile, writeSafetensors } from './safetensors-file.js';
export { parseBundleIndex, shardFileName, TfCheckpointReader, TF_DTYPES } from './tf-bundle.js';
export type { BundleEntry, BundleIndex, TfTensor } from './tf-bundle.js';
export { buildTfBundle, writeTfCheckpoint } from './tf-bundle-writer.js';
export type { BundleTensor } from './tf-bundle-writer.js';
export { readLevelDbTable, writeLevelDbTable } from './leveldb-table.js';
export { openTfCheckpoint, readTfCheckpoint } from './tf-checkpoint-file.js';
export {
  gpt2Mapping,
  hfStateToLlmfs,
  openaiStateToLlmfs,
  llmfsStateToHf,
  llmfsStateToOpenai,
  transpose2d,
} from './weight-mapping.js';
export type { MappingConfig, MappingEntry, NamedTensor } from './weight-mapping.js';
export { configFromHf, configToHf, configFromHparams, configToHparams } from './model-config.js';
export type { LlmfsConfigBlock } from './model-config.js';
export { detectModelFormat, openWeightSource } from './weight-source.js';
export type { WeightSource } from './weight-source.js';
export { loadModelDirectory, loadWeightsIntoGpt } from './load-model-directory.js';
export type { LoadedModel, LoadModelOptions } from './load-model-directory.js';
export { saveModelDirectory } from './save-model-directory.js';
export type { SaveModelOptions } from './save-model-directory.js';
export { convertModelDirectory } from './convert-model-directory.js';
export type { ConvertOptions } from './convert-model-directory.js';
export { downloadFile, sha256File } from './download-file.js';
export type { DownloadFileOptions } from './download-file.js';
export {
  resolveModel,
  downloadModel,
  cachedModelDir,
  defaultCacheDir,
  findRelease,
  releaseFiles,
  GPT2_RELEASES,
  OPENAI_FILES,
  HF_FILES,
  OPENAI_BASE_URLS,
  HF_ENDPOINT,
} from './resolve-model.js';
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
