// The model picker shared by Generate and Attention: the bundled tiny GPT, a model directory or
// .safetensors + config.json from disk, or a Hugging Face model id (downloaded once, then cached).
import { el, formatBytes, showError } from '../dom.js';
import type { ModelInfo, ModelSource } from '../protocol.js';
import { DEFAULT_MODEL, type Session } from '../session.js';

function describe(m: ModelInfo): string {
  return `${m.label}: ${(m.parameters / 1e6).toFixed(2)}M parameters · ${m.nLayers} layers · ${m.nHeads} heads · width ${m.embDim} · context ${m.contextLength} · on ${m.backend}`;
}

/** Builds a model panel bound to the session. */
export function modelPanel(session: Session): HTMLElement {
  const status = el('p', {
    class: 'model-status',
    'data-testid': 'model-status',
    text: 'no model loaded yet',
  });
  const error = el('p', { class: 'error', 'data-testid': 'model-error', hidden: true });
  const progress = el('progress', { max: 1, value: 0, hidden: true });
  const progressText = el('span', { class: 'progress-text' });
  const files = el('input', {
    type: 'file',
    multiple: true,
    accept: '.json,.safetensors',
    'data-testid': 'model-files',
  });
  const dir = el('input', { type: 'file', webkitdirectory: true, 'data-testid': 'model-dir' });
  const hfId = el('input', {
    type: 'text',
    placeholder: 'openai-community/gpt2',
    value: 'openai-community/gpt2',
    size: 28,
  });
  const hfButton = el('button', { type: 'button', text: 'Fetch from the Hub' });
  const defaultButton = el('button', { type: 'button', text: 'Bundled tiny GPT' });

  const load = (source: ModelSource): void => {
    error.hidden = true;
    status.textContent = `loading ${source.label} ...`;
    session.load(source).catch(() => undefined);
  };
  session.onModel((m, err) => {
    if (err) {
      status.textContent = 'no model loaded';
      showError(error, err);
    } else if (m) {
      error.hidden = true;
      status.textContent = describe(m);
    }
    progress.hidden = true;
    progressText.textContent = '';
  });
  session.onProgress((p) => {
    progress.hidden = false;
    progress.max = p.total ?? Math.max(p.loaded, 1);
    progress.value = p.loaded;
    progressText.textContent = `${p.what}: ${formatBytes(p.loaded)}${p.total ? ` of ${formatBytes(p.total)}` : ''}${p.cached ? ' (from the cache)' : ''}`;
  });
  const pick = async (input: HTMLInputElement): Promise<void> => {
    const list = [...(input.files ?? [])].filter(
      (f) => f.name === 'config.json' || f.name.endsWith('.safetensors'),
    );
    const picked = await Promise.all(
      list.map(async (f) => ({ name: f.webkitRelativePath || f.name, bytes: await f.arrayBuffer() })),
    );
    input.value = '';
    load({ kind: 'files', files: picked, label: picked.map((f) => f.name).join(' + ') || 'picked files' });
  };
  files.addEventListener('change', () => void pick(files));
  dir.addEventListener('change', () => void pick(dir));
  hfButton.addEventListener('click', () =>
    load({ kind: 'hf', id: hfId.value, label: `${hfId.value.trim()} (Hugging Face Hub)` }),
  );
  defaultButton.addEventListener('click', () => load(DEFAULT_MODEL));

  return el(
    'div',
    { class: 'model-panel' },
    status,
    el(
      'div',
      { class: 'row' },
      defaultButton,
      el('label', { class: 'file' }, 'config.json + .safetensors ', files),
      el('label', { class: 'file' }, 'or a model folder ', dir),
      hfId,
      hfButton,
    ),
    el('div', { class: 'row' }, progress, progressText),
    error,
  );
}
