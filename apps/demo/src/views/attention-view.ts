// Attention explorer (book ch. 3): for a prompt and the loaded model, the attention weights of each
// layer and head as heatmaps, with the causal mask (the hatched upper triangle) in view.
import { el, showError } from '../dom.js';
import type { Session } from '../session.js';
import { drawHeatmap } from './heatmap.js';
import { modelPanel } from './model-panel.js';

interface Maps {
  tokens: string[];
  ids: number[];
  nLayers: number;
  nHeads: number;
  T: number;
  layers: Float32Array[];
}

/** Builds the attention view. */
export function attentionView(session: Session): HTMLElement {
  const prompt = el('input', {
    type: 'text',
    id: 'att-prompt',
    size: 60,
    value: 'Every effort moves you forward, and the rest follows',
  });
  const run = el('button', { type: 'button', id: 'att-run', class: 'primary', text: 'Show attention' });
  const layerSel = el('select', { id: 'att-layer' });
  const headSel = el('select', { id: 'att-head' });
  const big = el('canvas', { class: 'heatmap', 'data-testid': 'att-heatmap' });
  const grid = el('div', { class: 'head-grid', 'data-testid': 'att-grid' });
  const info = el('p', { class: 'counts', 'data-testid': 'att-info' });
  const error = el('p', { class: 'error', hidden: true, 'data-testid': 'att-error' });
  let maps: Maps | undefined;

  const draw = (): void => {
    if (!maps) return;
    const layer = Number(layerSel.value);
    const head = Number(headSel.value);
    const T = maps.T;
    const data = maps.layers[layer];
    drawHeatmap(big, data, head * T * T, T, {
      cell: Math.max(8, Math.min(28, Math.floor(560 / T))),
      labels: maps.tokens,
    });
    grid.replaceChildren(
      ...Array.from({ length: maps.nHeads }, (_, h) => {
        const c = el('canvas', {
          class: `mini${h === head ? ' selected' : ''}`,
          title: `layer ${layer} head ${h}`,
        });
        drawHeatmap(c, data, h * T * T, T, { cell: Math.max(2, Math.floor(120 / T)) });
        c.addEventListener('click', () => {
          headSel.value = String(h);
          draw();
        });
        return el('figure', {}, c, el('figcaption', { text: `head ${h}` }));
      }),
    );
    // Each row of a causal softmax sums to 1 over the visible (lower-triangle) keys.
    let maxAbove = 0;
    for (let i = 0; i < T; i++)
      for (let j = i + 1; j < T; j++) maxAbove = Math.max(maxAbove, data[head * T * T + i * T + j]);
    info.textContent = `${T} tokens · layer ${layer} · head ${head} · largest weight above the diagonal: ${maxAbove.toExponential(1)} (the mask)`;
    info.dataset.maxAbove = String(maxAbove);
  };
  const options = (select: HTMLSelectElement, n: number, name: string): void => {
    const keep = select.value;
    select.replaceChildren(
      ...Array.from({ length: n }, (_, i) => el('option', { value: i, text: `${name} ${i}` })),
    );
    select.value = keep !== '' && Number(keep) < n ? keep : '0';
  };
  run.addEventListener('click', async () => {
    error.hidden = true;
    run.disabled = true;
    try {
      await session.ensureModel();
      maps = await session.call<Maps>({ op: 'attention', which: 'loaded', prompt: prompt.value });
      options(layerSel, maps.nLayers, 'layer');
      options(headSel, maps.nHeads, 'head');
      draw();
    } catch (e) {
      showError(error, e);
    } finally {
      run.disabled = false;
    }
  });
  layerSel.addEventListener('change', draw);
  headSel.addEventListener('change', draw);

  return el(
    'section',
    { id: 'view-attention', class: 'view' },
    el('p', {
      class: 'lede',
      text: 'Each row is a token asking "which earlier tokens matter to me?"; the row sums to 1 (softmax). The hatched triangle is the causal mask: no token may look ahead (chapter 3.5).',
    }),
    modelPanel(session),
    el('div', { class: 'row' }, prompt, run, layerSel, headSel),
    error,
    info,
    el('div', { class: 'att-layout' }, big, grid),
  );
}
