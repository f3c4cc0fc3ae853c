// The demo page: tabs for the tokenizer, attention, generation and training views, a backend
// selector, and the two workers that do the work (a tokenizer worker and a compute worker).
import { el } from './dom.js';
import type { BackendInfo, Request, TokenizerRequest } from './protocol.js';
import { Session } from './session.js';
import { WorkerClient } from './worker-client.js';
import { attentionView } from './views/attention-view.js';
import { generateView } from './views/generate-view.js';
import { tokenizerView } from './views/tokenizer-view.js';
import { trainView } from './views/train-view.js';

const tokenizer = new WorkerClient<TokenizerRequest>(
  () => new Worker(new URL('./tokenizer-worker.ts', import.meta.url), { type: 'module', name: 'tokenizer' }),
);
const compute = new WorkerClient<Request>(
  () => new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module', name: 'compute' }),
);

const select = document.querySelector<HTMLSelectElement>('#backend-select')!;
const status = document.querySelector<HTMLElement>('#backend-status')!;
const session = new Session(compute);

const params = new URLSearchParams(location.search);
session.maxBindingBytes = Number(params.get('maxBinding')) || undefined;
const initial = params.get('backend') ?? localStorage.getItem('llmfs-backend') ?? 'auto';
select.value = [...select.options].some((o) => o.value === initial) ? initial : 'auto';

session.onBackend = (info: BackendInfo | undefined, err?: Error) => {
  if (err) {
    status.textContent = `${err.name}: ${err.message}`;
    status.className = 'error';
    return;
  }
  if (!info) {
    status.textContent = 'starting...';
    status.className = '';
    return;
  }
  const avail = Object.entries(info.available)
    .map(([k, v]) => `${k} ${v ? (info.software.includes(k) ? '✓ (software)' : '✓') : '✗'}`)
    .join(' · ');
  const limit = info.maxStorageBufferBindingSize
    ? ` · max storage buffer ${(info.maxStorageBufferBindingSize / 2 ** 20).toFixed(0)} MiB`
    : '';
  status.textContent = `running on ${info.active} (${avail})${limit}`;
  status.className = 'ok';
  status.dataset.backend = info.active;
  document.body.dataset.backend = info.active;
};
select.addEventListener('change', () => {
  localStorage.setItem('llmfs-backend', select.value);
  void session.switchBackend(select.value);
});

const views: Array<{ id: string; title: string; make: () => HTMLElement }> = [
  { id: 'tokenizer', title: 'Tokenizer', make: () => tokenizerView(tokenizer) },
  { id: 'attention', title: 'Attention', make: () => attentionView(session) },
  { id: 'generate', title: 'Generate', make: () => generateView(session) },
  { id: 'train', title: 'Train', make: () => trainView(session) },
];
const tabs = document.querySelector<HTMLElement>('#tabs')!;
const main = document.querySelector<HTMLElement>('#views')!;
const built = new Map<string, HTMLElement>();

function show(id: string): void {
  for (const v of views) {
    let view = built.get(v.id);
    if (v.id === id && !view) {
      view = v.make();
      built.set(v.id, view);
      main.append(view);
    }
    if (view) view.hidden = v.id !== id;
  }
  for (const b of tabs.querySelectorAll('button'))
    b.setAttribute('aria-selected', String(b.dataset.view === id));
  if (location.hash !== `#${id}`) history.replaceState(null, '', `#${id}`);
}
for (const v of views) {
  tabs.append(el('button', { role: 'tab', 'data-view': v.id, id: `tab-${v.id}`, text: v.title }));
}
tabs.addEventListener('click', (ev) => {
  const b = (ev.target as HTMLElement).closest('button');
  if (b?.dataset.view) show(b.dataset.view);
});
show(views.some((v) => `#${v.id}` === location.hash) ? location.hash.slice(1) : 'tokenizer');
void session.switchBackend(select.value);
