// Train (book ch. 5): pretrain a tiny GPT on pasted text in the page, with a live loss chart,
// pause / resume / stop, samples from the model as it learns, and an export the CLI can load.
import { el, numberField, readNumber, showError, formatBytes } from '../dom.js';
import type { TrainSettings } from '../protocol.js';
import type { Session } from '../session.js';
import { drawLossChart, type LossSeries } from './loss-chart.js';

/** Builds the train view. */
export function trainView(session: Session): HTMLElement {
  const text = el('textarea', {
    id: 'train-text',
    rows: 6,
    placeholder: "Paste text to train on (or load the book's the-verdict.txt)",
  });
  const loadVerdict = el('button', { type: 'button', text: "Use the-verdict.txt (the book's text)" });
  const settings = el(
    'div',
    { class: 'row' },
    numberField('context', 'contextLength', 32, { min: 4, max: 256 }),
    numberField('width', 'embDim', 32, { min: 8, max: 256, step: 8 }),
    numberField('heads', 'nHeads', 2, { min: 1, max: 16 }),
    numberField('layers', 'nLayers', 2, { min: 1, max: 8 }),
    numberField('batch', 'batchSize', 4, { min: 1, max: 32 }),
    numberField('learning rate', 'lr', 0.004, { min: 0, max: 1, step: 0.0005 }),
    numberField('weight decay', 'weightDecay', 0.1, { min: 0, max: 1, step: 0.01 }),
    numberField('steps', 'maxSteps', 200, { min: 1, max: 100000 }),
    numberField('eval every', 'evalEvery', 20, { min: 0, max: 10000 }),
    numberField('seed', 'seed', 123, { min: 0 }),
  );
  const start = el('button', { type: 'button', id: 'train-start', class: 'primary', text: 'Train' });
  const pause = el('button', { type: 'button', id: 'train-pause', text: 'Pause', disabled: true });
  const stop = el('button', { type: 'button', id: 'train-stop', text: 'Stop', disabled: true });
  const sample = el('button', { type: 'button', id: 'train-sample', text: 'Sample', disabled: true });
  const exportBtn = el('button', {
    type: 'button',
    id: 'train-export',
    text: 'Export model (zip)',
    disabled: true,
  });
  const chart = el('canvas', { class: 'loss-chart', 'data-testid': 'loss-chart' });
  const stats = el('p', { class: 'counts', 'data-testid': 'train-stats' });
  const samples = el('div', { class: 'samples', 'data-testid': 'train-samples' });
  // the book's evaluation lines (`Ep 1 (Step 000000): Train loss ..., Val loss ...`), newest first
  const evalLog = el('div', { class: 'counts', 'data-testid': 'train-evals' });
  const error = el('p', { class: 'error', hidden: true, 'data-testid': 'train-error' });
  const series: LossSeries = { steps: [], train: [], val: [] };
  let stepMs: number[] = [];
  let tensorCounts: number[] = [];
  let running = false;
  let paused = false;

  loadVerdict.addEventListener('click', async () => {
    const res = await fetch(new URL('data/the-verdict.txt', document.baseURI));
    text.value = await res.text();
  });
  const read = (): TrainSettings => ({
    text: text.value,
    contextLength: readNumber(settings, 'contextLength'),
    embDim: readNumber(settings, 'embDim'),
    nHeads: readNumber(settings, 'nHeads'),
    nLayers: readNumber(settings, 'nLayers'),
    batchSize: readNumber(settings, 'batchSize'),
    lr: readNumber(settings, 'lr'),
    weightDecay: readNumber(settings, 'weightDecay'),
    maxSteps: readNumber(settings, 'maxSteps'),
    evalEvery: readNumber(settings, 'evalEvery'),
    seed: readNumber(settings, 'seed'),
  });
  const setRunning = (r: boolean): void => {
    running = r;
    start.disabled = r;
    pause.disabled = !r;
    stop.disabled = !r;
    sample.disabled = false;
    exportBtn.disabled = false;
  };
  const doSample = async (): Promise<void> => {
    try {
      const r = await session.call<{ text: string }>({
        op: 'generate',
        which: 'trained',
        prompt: 'Every effort moves you',
        maxNewTokens: 25,
        temperature: 0,
      });
      samples.prepend(
        el('p', {
          class: 'sample',
          text: `step ${series.steps.at(-1)?.[0] ?? 0}: Every effort moves you${r.text}`,
        }),
      );
    } catch (e) {
      showError(error, e);
    }
  };

  start.addEventListener('click', async () => {
    error.hidden = true;
    series.steps = [];
    series.train = [];
    series.val = [];
    stepMs = [];
    tensorCounts = [];
    samples.replaceChildren();
    evalLog.replaceChildren();
    paused = false;
    pause.textContent = 'Pause';
    setRunning(true);
    stats.textContent = 'starting ...';
    stats.dataset.done = '';
    stats.dataset.paused = 'false';
    const s = read();
    try {
      const r = await session.call<{ steps: number; finalLoss: number; backend: string }>(
        { op: 'train', settings: s },
        (ev) => {
          if (ev.kind === 'step') {
            series.steps.push([ev.step, ev.loss]);
            stepMs.push(ev.stepMs);
            tensorCounts.push(ev.numTensors);
            stats.textContent = `step ${ev.step}/${s.maxSteps} · loss ${ev.loss.toFixed(3)} · ${ev.stepMs.toFixed(0)} ms/step · ${ev.tokensSeen} tokens seen · ${ev.numTensors} tensors`;
            stats.dataset.step = String(ev.step);
            stats.dataset.loss = String(ev.loss);
            if (ev.step % 2 === 0 || ev.step < 10) drawLossChart(chart, series);
          } else if (ev.kind === 'paused' || ev.kind === 'resumed') {
            stats.dataset.paused = String(ev.kind === 'paused');
            stats.append(ev.kind === 'paused' ? ' · paused' : '');
          } else if (ev.kind === 'eval') {
            series.train.push([ev.step, ev.trainLoss]);
            series.val.push([ev.step, ev.valLoss]);
            drawLossChart(chart, series);
            evalLog.prepend(el('div', { text: ev.line }));
          }
        },
      );
      stats.textContent = `done: ${r.steps} steps · final loss ${r.finalLoss.toFixed(3)} · on ${r.backend}`;
      stats.dataset.done = 'true';
      stats.dataset.losses = JSON.stringify(series.steps.map(([, l]) => l));
      stats.dataset.stepMs = JSON.stringify(stepMs);
      stats.dataset.tensorCounts = JSON.stringify(tensorCounts);
      drawLossChart(chart, series);
      await doSample();
    } catch (e) {
      showError(error, e);
    } finally {
      setRunning(false);
    }
  });
  pause.addEventListener('click', () => {
    if (!running) return;
    paused = !paused;
    session.compute.send({ op: paused ? 'train-pause' : 'train-resume' });
    pause.textContent = paused ? 'Resume' : 'Pause';
  });
  stop.addEventListener('click', () => session.compute.send({ op: 'train-stop' }));
  sample.addEventListener('click', () => void doSample());
  exportBtn.addEventListener('click', async () => {
    try {
      const zip = await session.call<Uint8Array>({ op: 'export', which: 'trained' });
      const url = URL.createObjectURL(new Blob([zip as BlobPart], { type: 'application/zip' }));
      const a = el('a', {
        href: url,
        download: 'llmfs-browser-model.zip',
        text: `download llmfs-browser-model.zip (${formatBytes(zip.byteLength)})`,
      });
      a.dataset.size = String(zip.byteLength);
      samples.prepend(
        el(
          'p',
          {},
          a,
          ' · unzip, then: llmfs generate --model llmfs-browser-model --prompt "Every effort moves you"',
        ),
      );
      a.click();
    } catch (e) {
      showError(error, e);
    }
  });

  return el(
    'section',
    { id: 'view-train', class: 'view' },
    el('p', {
      class: 'lede',
      text: 'Pretraining (chapter 5): the model learns to predict each next token of your text. The blue line is the training loss per step; green and red dots are the train and validation losses.',
    }),
    text,
    el('div', { class: 'row' }, loadVerdict),
    settings,
    el('div', { class: 'row' }, start, pause, stop, sample, exportBtn),
    stats,
    error,
    chart,
    el('p', {
      class: 'counts',
      text: 'y: cross-entropy loss (ln 50257 = 10.8 at random init) · blue: training loss per step · green: train loss, red: validation loss (2 batches each, every "eval every" steps)',
    }),
    evalLog,
    samples,
  );
}
