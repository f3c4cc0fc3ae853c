// Generate (book ch. 4-5): stream text token by token from the loaded model with temperature,
// top-k and top-p; the speed in tokens/s is shown while it runs. Stop cancels between tokens.
import { el, numberField, readNumber, showError } from '../dom.js';
import type { Session } from '../session.js';
import { modelPanel } from './model-panel.js';

interface GenerateResult {
  text: string;
  ids: number[];
  tokensPerSecond: number;
  steadyTokensPerSecond: number;
  firstTokenMs: number;
  cancelled: boolean;
  backend: string;
}

/** Builds the generate view. */
export function generateView(session: Session): HTMLElement {
  const prompt = el('textarea', { id: 'gen-prompt', rows: 2 });
  prompt.value = 'Every effort moves you';
  const controls = el(
    'div',
    { class: 'row' },
    numberField('new tokens', 'maxNewTokens', 40, { min: 1, max: 1000 }),
    numberField('temperature', 'temperature', 0.8, { min: 0, max: 5, step: 0.1 }),
    numberField('top-k', 'topK', 40, { min: 0, max: 50257 }),
    numberField('top-p', 'topP', 0.95, { min: 0, max: 1, step: 0.05 }),
    numberField('seed', 'seed', 123, { min: 0 }),
  );
  const start = el('button', { type: 'button', id: 'gen-start', text: 'Generate', class: 'primary' });
  const stop = el('button', { type: 'button', id: 'gen-stop', text: 'Stop', disabled: true });
  const output = el('div', { class: 'gen-output', 'data-testid': 'gen-output' });
  const speed = el('p', { class: 'speed', 'data-testid': 'gen-speed' });
  const error = el('p', { class: 'error', hidden: true, 'data-testid': 'gen-error' });

  start.addEventListener('click', async () => {
    error.hidden = true;
    start.disabled = true;
    stop.disabled = false;
    output.replaceChildren(el('span', { class: 'prompt', text: prompt.value }));
    const generated = el('span', { class: 'generated', 'data-testid': 'gen-generated' });
    output.append(generated);
    speed.textContent = 'loading the model ...';
    speed.dataset.done = '';
    try {
      await session.ensureModel();
      const topK = readNumber(controls, 'topK');
      const topP = readNumber(controls, 'topP');
      const r = await session.call<GenerateResult>(
        {
          op: 'generate',
          which: 'loaded',
          prompt: prompt.value,
          maxNewTokens: readNumber(controls, 'maxNewTokens'),
          temperature: readNumber(controls, 'temperature'),
          topK: topK > 0 ? topK : undefined,
          topP: topP > 0 && topP < 1 ? topP : undefined,
          seed: readNumber(controls, 'seed'),
        },
        (ev: { piece: string; n: number; tokensPerSecond: number }) => {
          generated.append(ev.piece);
          if (Number.isFinite(ev.tokensPerSecond))
            speed.textContent = `${ev.n} tokens · ${ev.tokensPerSecond.toFixed(1)} tokens/s`;
        },
      );
      speed.textContent = `${r.ids.length} tokens · ${r.tokensPerSecond.toFixed(1)} tokens/s (${Number.isFinite(r.steadyTokensPerSecond) ? r.steadyTokensPerSecond.toFixed(1) : '-'} after the first; first token ${r.firstTokenMs.toFixed(0)} ms) on ${r.backend}${r.cancelled ? ' · stopped' : ''}`;
      speed.dataset.done = 'true';
      speed.dataset.tokensPerSecond = String(r.tokensPerSecond);
      speed.dataset.ids = JSON.stringify(r.ids);
      speed.dataset.steadyTokensPerSecond = String(r.steadyTokensPerSecond);
    } catch (e) {
      showError(error, e);
      speed.textContent = '';
    } finally {
      start.disabled = false;
      stop.disabled = true;
    }
  });
  stop.addEventListener('click', () => session.compute.send({ op: 'cancel' }));

  return el(
    'section',
    { id: 'view-generate', class: 'view' },
    el('p', {
      class: 'lede',
      text: 'Next-token prediction, one token at a time (chapter 4), with the sampling of chapter 5: temperature scales the logits, top-k and top-p cut the tail.',
    }),
    modelPanel(session),
    prompt,
    controls,
    el('div', { class: 'row' }, start, stop),
    speed,
    error,
    output,
  );
}
