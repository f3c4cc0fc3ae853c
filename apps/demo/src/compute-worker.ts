// The compute worker: every tensor lives here, never on the page's thread. It holds the loaded model
// (Generate, Attention) and the model being trained (Train), and answers the requests of protocol.ts.
import * as tf from '@tensorflow/tfjs';
import { getEncoding } from '@llmfs/bpe-tokenizer';
import { generateStream, type GPTModel } from '@llmfs/gpt-model';
import { attentionMaps } from './attention-maps.js';
import { lowerBindingLimit, setupBackend } from './backend-setup.js';
import { BrowserTraining } from './browser-training.js';
import { ModelFileError } from './errors.js';
import { exportModelZip } from './export-model.js';
import { fetchModelFiles } from './fetch-files.js';
import { loadModel } from './load-model.js';
import { Mutex } from './mutex.js';
import type { BackendInfo, ModelInfo, Request } from './protocol.js';
import { serve, type RequestContext } from './worker-host.js';
import { yieldToEvents } from './yield-to-events.js';

let base = '';
let backend: BackendInfo | undefined;
let loaded: { model: GPTModel; info: ModelInfo } | undefined;
let training: BrowserTraining | undefined;
let trainingRun: Promise<unknown> | undefined;
let generation = 0;
const loadedLock = new Mutex();

function modelInfo(model: GPTModel, label: string): ModelInfo {
  const c = model.cfg;
  return {
    label,
    vocabSize: c.vocabSize,
    contextLength: c.contextLength,
    embDim: c.embDim,
    nHeads: c.nHeads,
    nLayers: c.nLayers,
    qkvBias: c.qkvBias,
    parameters: model.numParameters(),
    backend: tf.getBackend(),
  };
}

/** The model a request names, with the lock that serialises its use. */
function pick(which: 'loaded' | 'trained'): { model: GPTModel; lock: Mutex } {
  if (which === 'trained') {
    if (!training) throw new ModelFileError('no model has been trained yet: start training first');
    return { model: training.model, lock: training.lock };
  }
  if (!loaded) throw new ModelFileError('no model is loaded');
  return { model: loaded.model, lock: loadedLock };
}

async function generate(req: Extract<Request, { op: 'generate' }>, ctx: RequestContext): Promise<unknown> {
  const { model, lock } = pick(req.which);
  const mine = ++generation;
  const enc = getEncoding('gpt2');
  let ids = enc.encode(req.prompt, { allowedSpecial: 'all' });
  if (ids.length === 0) ids = [enc.eotToken];
  ids = ids.slice(-model.cfg.contextLength);
  return lock.run(async () => {
    const wasTraining = model.training;
    model.eval();
    const decoder = enc.createDecoder();
    const out: number[] = [];
    let text = '';
    const t0 = performance.now();
    let firstMs = 0;
    let cancelled = false;
    try {
      for await (const id of generateStream(model, {
        idx: [ids],
        maxNewTokens: req.maxNewTokens,
        contextSize: model.cfg.contextLength,
        temperature: req.temperature,
        topK: req.topK,
        topP: req.topP,
        seed: req.seed,
      })) {
        out.push(id);
        const piece = decoder.push(id);
        text += piece;
        const ms = performance.now() - t0;
        if (out.length === 1) firstMs = ms;
        ctx.emit({ id, piece, n: out.length, tokensPerSecond: out.length / (ms / 1000) });
        await yieldToEvents(); // a 'cancel' message gets in here
        if (generation !== mine) {
          cancelled = true;
          break;
        }
      }
    } finally {
      if (wasTraining) model.train();
    }
    const rest = decoder.flush();
    if (rest) ctx.emit({ id: -1, piece: rest, n: out.length, tokensPerSecond: NaN });
    text += rest;
    const ms = performance.now() - t0;
    const steady = out.length > 1 ? (out.length - 1) / ((ms - firstMs) / 1000) : NaN;
    return {
      ids: out,
      text,
      ms,
      firstTokenMs: firstMs,
      tokensPerSecond: out.length / (ms / 1000),
      steadyTokensPerSecond: steady,
      cancelled,
      backend: tf.getBackend(),
    };
  });
}

async function train(req: Extract<Request, { op: 'train' }>, ctx: RequestContext): Promise<unknown> {
  if (trainingRun) throw new ModelFileError('a training run is already going: stop it first');
  training?.model.dispose();
  training = new BrowserTraining(req.settings);
  const run = training.run((e) => ctx.emit(e));
  trainingRun = run;
  try {
    const r = await run;
    return { ...r, info: modelInfo(training.model, 'trained in this page'), backend: tf.getBackend() };
  } finally {
    trainingRun = undefined;
  }
}

serve<Request>(async (req, ctx) => {
  switch (req.op) {
    case 'ping':
      return 'pong';
    case 'init': {
      base = req.base;
      lowerBindingLimit(req.maxBindingBytes);
      backend = await setupBackend(req.backend, base, () => undefined);
      return backend;
    }
    case 'load': {
      const files = await fetchModelFiles(req.source, base, (p) => ctx.emit(p));
      return loadedLock.run(async () => {
        const { model } = loadModel(files);
        loaded?.model.dispose();
        loaded = { model, info: modelInfo(model, req.source.label) };
        return loaded.info;
      });
    }
    case 'generate':
      return generate(req, ctx);
    case 'cancel':
      generation++; // stops the running generation after its current token (training has its own stop)
      return true;
    case 'attention': {
      const { model, lock } = pick(req.which);
      return lock.run(async () => {
        const maps = await attentionMaps(model, req.prompt);
        for (const l of maps.layers) ctx.transfer(l.buffer);
        return maps;
      });
    }
    case 'train':
      return train(req, ctx);
    case 'train-pause':
      training?.pause();
      return true;
    case 'train-resume':
      training?.resume();
      return true;
    case 'train-stop':
      training?.stop();
      return true;
    case 'export': {
      const { model, lock } = pick(req.which);
      const zip = await lock.run(() =>
        exportModelZip(model, req.which === 'trained' ? 'llmfs-browser-model' : 'llmfs-model'),
      );
      ctx.transfer(zip.buffer);
      return zip;
    }
  }
});
