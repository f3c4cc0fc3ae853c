// `llmfs bench`: throughput of a GPT-2-shaped model with random weights on the chosen backend:
// generation tokens/s with and without the KV cache (book ch04/ch05), and the median time of one
// training step (forward, backward, AdamW) with tokens/s (book ch05), each under nn's memory plan
// (printed), with the peak RSS and the backend heap's high-water mark. Figures, not assertions.
// Also the other rows of `npm run bench:pytorch`: the chapter 6 classifier step (`--classifier`), an
// evaluation pass (`--eval-batches`), generation with the KV cache only (`--no-uncached`).
import fs from 'node:fs';
import type { Command } from 'commander';
import * as tf from '@tensorflow/tfjs';
import { createParameters, initBackend, planInference, planTraining, wasmThreadsCount } from '@llmfs/nn';
import {
  GPTModel,
  applyMemoryPlan,
  generate,
  getConfig,
  gptMemoryProfile,
  modelMemoryProfile,
  type GPTConfig,
} from '@llmfs/gpt-model';
import { AdamW, batchGrads, calcLossLoader, trainStep } from '@llmfs/trainer';
import { addClassificationHead, calcLossBatch, freezeForClassification } from '@llmfs/finetune';
import { checkInput } from '../check-paths.js';
import { UserError, parseNumber, printJson, withBackend } from '../common.js';

interface BenchFlags {
  config: string;
  contextLength?: string;
  batchSize: string;
  steps: string;
  microBatches?: string;
  newTokens: string;
  train: boolean;
  generate: boolean;
  uncached: boolean;
  qkvBias?: string;
  classifier?: string;
  evalBatches?: string;
  backend?: string;
  json?: boolean;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A GPTConfig from a JSON file ({vocabSize, contextLength, embDim, nHeads, nLayers, dropRate, qkvBias}). */
function readConfigFile(file: string): GPTConfig {
  checkInput('--config', file, 'file');
  let cfg: GPTConfig;
  try {
    cfg = JSON.parse(fs.readFileSync(file, 'utf8')) as GPTConfig;
  } catch (err) {
    throw new UserError(`--config ${file}: ${(err as Error).message}`);
  }
  for (const k of ['vocabSize', 'contextLength', 'embDim', 'nHeads', 'nLayers'] as const)
    if (!Number.isInteger(cfg[k]) || cfg[k] < 1)
      throw new UserError(`--config ${file}: '${k}' must be a positive integer`);
  return { ...cfg, dropRate: cfg.dropRate ?? 0, qkvBias: cfg.qkvBias ?? false };
}

/** Registers `llmfs bench`. */
export function register(program: Command): void {
  withBackend(
    program
      .command('bench')
      .description('generation tokens/s (with and without KV cache) and training step time, random weights')
      .option(
        '--config <name>',
        'GPT-2 size (gpt2 | gpt2-medium | gpt2-large | gpt2-xl) or a JSON file of GPTConfig keys',
        'gpt2',
      )
      .option('--context-length <T>', 'training context length (default: 256, the book ch05 setting)')
      .option('--batch-size <B>', 'training batch size', '2')
      .option('--steps <N>', 'timed training steps (after one warm-up step)', '3')
      .option(
        '--micro-batches <k>',
        'passes per batch with accumulated gradients (default: as the memory plan decides)',
      )
      .option('--new-tokens <N>', 'tokens to generate per path', '50')
      .option('--no-train', 'skip the training step')
      .option('--no-generate', 'skip generation')
      .option('--no-uncached', 'skip generation without the KV cache')
      .option('--qkv-bias <on|off>', 'query/key/value biases (default: as the config)')
      .option(
        '--classifier <classes>',
        'train the book ch06 classifier instead: a new head of <classes> outputs, the last block, final norm and head trainable, loss on the last token',
      )
      .option(
        '--eval-batches <N>',
        'also time one evaluation pass (calcLossLoader, no gradients) over N batches of the training shape',
      )
      .option('--json', 'print one JSON object'),
  ).action(async (o: BenchFlags) => {
    const base = o.config.endsWith('.json') ? readConfigFile(o.config) : getConfig(o.config);
    const contextLength = parseNumber('--context-length', o.contextLength ?? '256', {
      integer: true,
      min: 1,
    })!;
    const batchSize = parseNumber('--batch-size', o.batchSize, { integer: true, min: 1 })!;
    const steps = parseNumber('--steps', o.steps, { integer: true, min: 1 })!;
    const newTokens = parseNumber('--new-tokens', o.newTokens, { integer: true, min: 1 })!;
    const microBatches = parseNumber('--micro-batches', o.microBatches, { integer: true, min: 1 });
    if (microBatches !== undefined && batchSize % microBatches !== 0)
      throw new UserError(`--micro-batches: ${microBatches} does not divide --batch-size ${batchSize}`);
    const numClasses = parseNumber('--classifier', o.classifier, { integer: true, min: 2 });
    const evalBatches = parseNumber('--eval-batches', o.evalBatches, { integer: true, min: 1 });
    if (o.qkvBias !== undefined && o.qkvBias !== 'on' && o.qkvBias !== 'off')
      throw new UserError(`--qkv-bias: expected on or off, got '${o.qkvBias}'`);
    const qkvBias = o.qkvBias === undefined ? base.qkvBias : o.qkvBias === 'on';
    const cfg: GPTConfig = { ...base, qkvBias, contextLength: Math.max(contextLength, base.contextLength) };
    const backend = await initBackend(o.backend);
    const log = (s: string) => o.json || console.log(s);
    // the model is made where the plans will want it: in host memory when either streams
    const trainShape = { batchSize, microBatches };
    const streams =
      (o.train &&
        numClasses === undefined &&
        planTraining(gptMemoryProfile(cfg, { seqLen: contextLength }), trainShape).mode === 'streamed') ||
      (o.generate &&
        planInference(gptMemoryProfile(cfg, { seqLen: 4 + newTokens }), { batchSize: 1 }).mode ===
          'streamed');
    const model = createParameters({ onHost: streams }, () => new GPTModel(cfg, { seed: 123 }));
    const threads = backend === 'wasm' ? wasmThreadsCount() : undefined;
    const result: Record<string, unknown> = {
      backend,
      threads,
      config: o.config,
      parameters: model.numParameters(),
    };
    log(
      `llmfs bench: ${o.config} (${model.numParameters().toLocaleString('en-US')} parameters, random weights), backend ${backend}${threads ? ` (${threads} thread(s))` : ''}`,
    );

    if (o.generate) {
      model.eval();
      const plan = planInference(modelMemoryProfile(model, { seqLen: 4 + newTokens }), { batchSize: 1 });
      applyMemoryPlan(model, plan);
      log(`memory plan: ${plan.summary}`);
      result.generatePlan = plan.summary;
      const prompt = [[15496, 11, 314, 716].map((id) => id % cfg.vocabSize)]; // "Hello, I am" in GPT-2 ids
      for (const useCache of o.uncached ? [true, false] : [true]) {
        await generate(model, { idx: prompt, maxNewTokens: 2, useCache }); // warm-up
        const t0 = performance.now();
        await generate(model, { idx: prompt, maxNewTokens: newTokens, useCache });
        const tps = newTokens / ((performance.now() - t0) / 1000);
        result[useCache ? 'generateTokensPerSecCached' : 'generateTokensPerSecUncached'] = +tps.toFixed(2);
        log(
          `generate ${useCache ? 'with' : 'without'} KV cache: ${tps.toFixed(1)} tokens/s (${newTokens} tokens, batch 1)`,
        );
      }
    }

    if (evalBatches !== undefined) {
      // the book's evaluate_model: calc_loss_loader over N batches in eval mode, no gradient tape
      model.eval();
      const plan = planInference(modelMemoryProfile(model, { seqLen: contextLength }), { batchSize });
      applyMemoryPlan(model, plan);
      log(`memory plan: ${plan.summary}`);
      result.evalPlan = plan.summary;
      const n = batchSize * contextLength;
      const batches = Array.from({ length: evalBatches }, (_, j) => ({
        inputs: Int32Array.from({ length: n }, (_, i) => ((i + j * n) * 7919) % cfg.vocabSize),
        targets: Int32Array.from({ length: n }, (_, i) => ((i + j * n) * 104729 + 1) % cfg.vocabSize),
        batchSize,
        seqLen: contextLength,
      }));
      await calcLossLoader(batches, model, 1); // warm-up
      const t0 = performance.now();
      await calcLossLoader(batches, model, evalBatches);
      const ms = performance.now() - t0;
      result.evalPassMs = +ms.toFixed(1);
      result.eval = { batches: evalBatches, batchSize, contextLength };
      log(
        `evaluation pass (calcLossLoader, ${evalBatches} batches of ${batchSize} x ${contextLength}): ${(ms / 1000).toFixed(2)} s`,
      );
    }

    if (o.train && numClasses !== undefined) {
      // book ch06: new head, freezing, AdamW lr 5e-5 wd 0.1, cross-entropy of the last token's logits
      addClassificationHead(model, numClasses);
      freezeForClassification(model);
      model.train();
      const n = batchSize * contextLength;
      const batch = {
        inputs: Int32Array.from({ length: n }, (_, i) => (i * 7919) % cfg.vocabSize),
        labels: Int32Array.from({ length: batchSize }, (_, i) => i % numClasses),
        batchSize,
        seqLen: contextLength,
      };
      const named = model.trainableParameters();
      const opt = new AdamW(named, { lr: 5e-5, weightDecay: 0.1 });
      const times: number[] = [];
      for (let s = 0; s <= steps; s++) {
        const t0 = performance.now();
        await trainStep(batch, model, opt, { lossBatch: (b) => calcLossBatch(b, model) });
        if (s > 0) times.push(performance.now() - t0); // step 0 is the warm-up
      }
      opt.dispose();
      const ms = median(times);
      result.trainStepMs = +ms.toFixed(1);
      result.trainTokensPerSec = +((n / ms) * 1000).toFixed(1);
      result.train = {
        batchSize,
        contextLength,
        steps,
        classifier: numClasses,
        trainableParameters: model.numParameters({ trainableOnly: true }),
      };
      log(
        `classifier train step (batch ${batchSize}, length ${contextLength}, ${numClasses} classes, last block + final norm + head): median ${(ms / 1000).toFixed(2)} s`,
      );
    } else if (o.train) {
      model.train();
      const n = batchSize * contextLength;
      const inputs = new Int32Array(n);
      const targets = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        inputs[i] = (i * 7919) % cfg.vocabSize;
        targets[i] = (i * 104729 + 1) % cfg.vocabSize;
      }
      const batch = { inputs, targets, batchSize, seqLen: contextLength };
      const named = model.trainableParameters();
      const plan = planTraining(modelMemoryProfile(model, { seqLen: contextLength }), trainShape);
      applyMemoryPlan(model, plan);
      log(`memory plan: ${plan.summary}`);
      result.trainPlan = plan.summary;
      const opt = new AdamW(named, { lr: 4e-4, weightDecay: 0.1 });
      const times: number[] = [];
      for (let s = 0; s <= steps; s++) {
        const t0 = performance.now();
        const { grads } = await batchGrads(batch, model, named, { plan });
        opt.step(grads, { disposeGrads: true });
        await settled(named); // GPU backends run the update asynchronously: time it too
        if (s > 0) times.push(performance.now() - t0); // step 0 is the warm-up
      }
      opt.dispose();
      const ms = median(times);
      result.trainStepMs = +ms.toFixed(1);
      result.trainTokensPerSec = +((n / ms) * 1000).toFixed(1);
      result.train = { batchSize, contextLength, steps, microBatches: plan.microBatches, mode: plan.mode };
      log(
        `train step (batch ${batchSize}, context ${contextLength}, AdamW): median ${(ms / 1000).toFixed(2)} s, ${((n / ms) * 1000).toFixed(0)} tokens/s`,
      );
    }
    model.dispose();
    // memory: the process's peak RSS, and the high-water mark of the backend's heap (wasm never shrinks it)
    result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
    if (heap !== undefined) result.heapHighWaterMiB = Math.round(heap / 2 ** 20);
    log(
      `memory: peak RSS ${result.peakRssMiB} MiB${heap !== undefined ? `, wasm heap high-water ${result.heapHighWaterMiB} MiB` : ''}`,
    );
    if (o.json) printJson(result);
  });
}

/** Waits for the backend's queued work: reads the smallest parameter back (webgpu runs kernels in order). */
async function settled(named: Array<[string, tf.Variable]>): Promise<void> {
  const smallest = named.reduce((a, b) => (b[1].size < a[1].size ? b : a))[1];
  await smallest.data();
}
