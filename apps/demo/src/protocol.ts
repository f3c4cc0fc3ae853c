// Messages between the page and its workers. Every request carries an id; the worker answers with
// zero or more 'event' messages (streamed tokens, training steps, download progress) and then exactly
// one 'result' or 'error'. Errors travel as { name, message } so the page can show the typed error.

/** Where a model comes from. */
export type ModelSource =
  | { kind: 'url'; base: string; label: string }
  | { kind: 'files'; files: Array<{ name: string; bytes: ArrayBuffer }>; label: string }
  | { kind: 'hf'; id: string; revision?: string; label: string };

/** A short description of a loaded model. */
export interface ModelInfo {
  label: string;
  vocabSize: number;
  contextLength: number;
  embDim: number;
  nHeads: number;
  nLayers: number;
  qkvBias: boolean;
  parameters: number;
  backend: string;
}

/** Settings of an in-browser pretraining run. */
export interface TrainSettings {
  text: string;
  contextLength: number;
  embDim: number;
  nHeads: number;
  nLayers: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  maxSteps: number;
  evalEvery: number;
  seed: number;
}

/** Requests the compute worker understands. */
export type Request =
  | { op: 'init'; backend: string; base: string; maxBindingBytes?: number }
  | { op: 'load'; source: ModelSource }
  | {
      op: 'generate';
      which: 'loaded' | 'trained';
      prompt: string;
      maxNewTokens: number;
      temperature: number;
      topK?: number;
      topP?: number;
      seed?: number;
    }
  | { op: 'attention'; which: 'loaded' | 'trained'; prompt: string }
  | { op: 'train'; settings: TrainSettings }
  | { op: 'train-pause' }
  | { op: 'train-resume' }
  | { op: 'train-stop' }
  | { op: 'export'; which: 'loaded' | 'trained' }
  | { op: 'cancel' }
  | { op: 'ping' };

/** Requests the tokenizer worker understands. */
export type TokenizerRequest = { op: 'tokenize'; text: string; base: string };

/** One GPT-2 token as the playground shows it. */
export interface TokenPiece {
  id: number;
  text: string;
  /** Raw bytes of this token (a multi-byte character may span several tokens). */
  bytes: number[];
  /** True when this token's bytes are not a whole UTF-8 character sequence on their own. */
  partial: boolean;
}

/** Result of tokenizing one text with both tokenizers. */
export interface TokenizeResult {
  gpt2: TokenPiece[];
  simple: { tokens: string[]; ids: number[]; unknown: number; vocabSize: number };
  chars: number;
  utf8Bytes: number;
}

/** Backend facts the worker reports after init. */
export interface BackendInfo {
  requested: string;
  active: string;
  available: Record<string, boolean>;
  /** Backends this browser offers only on a software renderer (SwiftShader, llvmpipe). */
  software: string[];
  /** WebGPU adapter limit, when the backend is webgpu. */
  maxStorageBufferBindingSize?: number;
}

export type WorkerMessage =
  | { id: number; type: 'event'; data: unknown }
  | { id: number; type: 'result'; data: unknown }
  | { id: number; type: 'error'; name: string; message: string };
