// @llmfs/finetune: classification finetuning (book ch. 6), instruction finetuning (ch. 7), LoRA (app. E).
export {
  FinetuneError,
  DataFormatError,
  JudgeUnavailableError,
  JudgeResponseError,
  ModelSetupError,
} from './errors.js';
export { END_OF_TEXT_ID, type TextTokenizer } from './tokenizer.js';
export { seededShuffle } from './seeded-shuffle.js';
export type { TokenBatch, LabelBatch, BatchLoader } from './batch.js';

// Chapter 6: classification
export {
  SPAM_CLASSES,
  SPAM_FILE_NAME,
  parseSpamTsv,
  unzipSpamCollection,
  readSpamData,
  createBalancedDataset,
  randomSplit,
  type SpamRow,
} from './spam-data.js';
export { SPAM_URLS, downloadSpamData, type DownloadSpamOptions } from './download-spam-data.js';
export {
  SpamDataset,
  createSpamDataLoader,
  type SpamDatasetOptions,
  type SpamLoaderOptions,
} from './spam-dataset.js';
export {
  addClassificationHead,
  freezeForClassification,
  numClassesOf,
  type FreezeOptions,
} from './classification-head.js';
export {
  lastTokenLogits,
  embedTokens,
  runBlocks,
  lastTokenHead,
  firstTrainableBlock,
  classifierTrainStep,
  calcClassifierLossBatch,
  calcClassifierLossLoader,
  calcAccuracyLoader,
} from './classifier-loss.js';
export {
  trainClassifierSimple,
  evaluateClassifier,
  type TrainClassifierOptions,
  type TrainClassifierResult,
} from './train-classifier-simple.js';
export { classifyReview, type Classification } from './classify-review.js';
export {
  CLASSIFIER_ARCHITECTURE,
  isClassifierConfig,
  saveClassifierDirectory,
  loadClassifierDirectory,
  type ClassifierInfo,
  type LoadedClassifier,
} from './classifier-directory.js';
export { trainStep, type StepModel, type StepOptimizer } from './train-step.js';

// Chapter 7: instruction finetuning
export {
  parseInstructionData,
  loadInstructionData,
  defaultInstructionDataPath,
  splitInstructionData,
  type InstructionEntry,
} from './instruction-data.js';
export { formatInput, formatResponse, type PromptFields } from './format-input.js';
export { InstructionDataset, type EncodedInstruction } from './instruction-dataset.js';
export { customCollateFn, type CollateOptions } from './custom-collate-fn.js';
export {
  createInstructionDataLoader,
  type InstructionLoaderOptions,
} from './create-instruction-data-loader.js';
export { extractResponse } from './extract-response.js';
export {
  generateResponse,
  generateResponses,
  saveResponses,
  type ResponseOptions,
} from './generate-responses.js';
export {
  chatUrl,
  queryModel,
  judgePrompt,
  generateModelScores,
  type JudgeOptions,
  type ScoreResult,
} from './ollama-judge.js';
export { saveFinetunedModel, loadFinetunedModel } from './finetuned-model-directory.js';

// Appendix E: LoRA
export { LoRALayer, type LoRALayerOptions } from './lora-layer.js';
export { LinearWithLoRA, type LinearWithLoRAOptions } from './linear-with-lora.js';
export {
  replaceLinearWithLora,
  findLoraLayers,
  mergeLora,
  detachLora,
  type ReplaceLoraOptions,
} from './replace-linear-with-lora.js';
export { replaceModule } from './replace-module.js';
export {
  ADAPTER_WEIGHTS_FILE,
  ADAPTER_CONFIG_FILE,
  loraStateDict,
  saveLoraAdapters,
  loadLoraAdapters,
  hasLoraAdapters,
  type AdapterConfig,
} from './lora-adapters.js';
