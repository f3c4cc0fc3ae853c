// Tokenizer playground (book ch. 2): GPT-2 BPE tokens as coloured spans with their ids, beside the
// simple word tokenizer with its <|unk|> tokens; characters that take several tokens show their bytes.
import { el } from '../dom.js';
import type { TokenizeResult, TokenizerRequest, TokenPiece } from '../protocol.js';
import type { WorkerClient } from '../worker-client.js';

const SAMPLE =
  'Hello, do you like tea? In the sunlit terraces of someunknownPlace. ∑ ≈ ∞ naïve café <|endoftext|>';

function hexBytes(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

function tokenSpan(t: TokenPiece, i: number): HTMLElement {
  const shown = t.partial ? `⟨${hexBytes(t.bytes)}⟩` : t.text.replace(/\n/g, '↵');
  const span = el('span', {
    class: `tok c${i % 8}${t.partial ? ' partial' : ''}`,
    title: `id ${t.id} · bytes ${hexBytes(t.bytes)}`,
  });
  span.append(
    el('span', { class: 'tok-text', text: shown }),
    el('sub', { class: 'tok-id', text: String(t.id) }),
  );
  return span;
}

/** Builds the tokenizer view. */
export function tokenizerView(client: WorkerClient<TokenizerRequest>): HTMLElement {
  const input = el('textarea', { id: 'tok-input', rows: 4, spellcheck: false });
  input.value = SAMPLE;
  const counts = el('p', { class: 'counts', 'data-testid': 'tok-counts' });
  const spans = el('div', { class: 'tokens', 'data-testid': 'tok-spans' });
  const ids = el('pre', { class: 'ids', 'data-testid': 'tok-ids' });
  const bytesBox = el('div', { class: 'bytes', 'data-testid': 'tok-bytes' });
  const simpleBox = el('div', { class: 'tokens simple', 'data-testid': 'simple-spans' });
  const simpleCounts = el('p', { class: 'counts', 'data-testid': 'simple-counts' });
  const errorBox = el('p', { class: 'error', hidden: true });

  let seq = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const render = (r: TokenizeResult): void => {
    counts.textContent = `${r.gpt2.length} GPT-2 tokens · ${r.chars} characters · ${r.utf8Bytes} UTF-8 bytes`;
    spans.replaceChildren(...r.gpt2.map(tokenSpan));
    ids.textContent = JSON.stringify(r.gpt2.map((t) => t.id));
    // Characters split over several byte-level tokens: list each run of partial tokens with its bytes.
    const runs: TokenPiece[][] = [];
    let run: TokenPiece[] = [];
    const strict = new TextDecoder('utf-8', { fatal: true });
    const whole = (ts: TokenPiece[]): boolean => {
      try {
        strict.decode(new Uint8Array(ts.flatMap((t) => t.bytes)));
        return true;
      } catch {
        return false;
      }
    };
    for (const t of r.gpt2) {
      if (t.partial) {
        run.push(t);
        if (whole(run)) {
          runs.push(run); // these tokens together make whole characters
          run = [];
        }
      } else if (run.length) {
        runs.push(run);
        run = [];
      }
    }
    if (run.length) runs.push(run);
    bytesBox.replaceChildren(
      el('h4', {
        text: runs.length ? 'Characters made of several tokens' : 'Every token is a whole character sequence',
      }),
      ...runs.map((rn) => {
        const all = rn.flatMap((t) => t.bytes);
        const ch = new TextDecoder().decode(new Uint8Array(all));
        return el('div', {
          class: 'byte-run',
          text: `${JSON.stringify(ch)}  =  ${rn.map((t) => `[${t.id}: ${hexBytes(t.bytes)}]`).join(' + ')}`,
        });
      }),
    );
    simpleCounts.textContent = `${r.simple.ids.length} simple tokens · ${r.simple.unknown} × <|unk|> · vocabulary ${r.simple.vocabSize} (built from the-verdict.txt)`;
    simpleBox.replaceChildren(
      ...r.simple.tokens.map((t, i) =>
        el(
          'span',
          { class: `tok c${i % 8}${t === '<|unk|>' ? ' unk' : ''}` },
          el('span', { class: 'tok-text', text: t }),
          el('sub', { class: 'tok-id', text: String(r.simple.ids[i]) }),
        ),
      ),
    );
  };
  const update = (): void => {
    const mine = ++seq;
    client
      .call<TokenizeResult>({ op: 'tokenize', text: input.value, base: document.baseURI })
      .then((r) => {
        if (mine !== seq) return;
        errorBox.hidden = true;
        render(r);
      })
      .catch((e: Error) => {
        errorBox.hidden = false;
        errorBox.textContent = `${e.name}: ${e.message}`;
      });
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  update();

  return el(
    'section',
    { id: 'view-tokenizer', class: 'view' },
    el('p', {
      class: 'lede',
      text: 'Type anything. GPT-2 splits text into byte-level BPE tokens (chapter 2); the simple tokenizer splits on words and punctuation and maps every word it never saw to <|unk|>.',
    }),
    input,
    errorBox,
    el('h3', { text: 'GPT-2 (byte-level BPE)' }),
    counts,
    spans,
    el('details', {}, el('summary', { text: 'Token ids' }), ids),
    bytesBox,
    el('h3', { text: 'SimpleTokenizerV2 (words, <|unk|>, <|endoftext|>)' }),
    simpleCounts,
    simpleBox,
  );
}
