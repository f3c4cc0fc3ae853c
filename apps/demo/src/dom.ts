// Tiny DOM helpers. Text always goes in through textContent (never innerHTML): names and messages
// from files (tensor names, config keys, error messages) may contain HTML and must stay inert.

type Attrs = Record<string, string | number | boolean | undefined>;

/** Creates an element with attributes and children (strings become text nodes). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

/** Shows an error as text in `box` ("SafetensorsError: header length ..."). */
export function showError(box: HTMLElement, err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  box.textContent = `${e.name}: ${e.message}`;
  box.hidden = false;
  box.classList.add('error');
}

/** A labelled number input. */
export function numberField(label: string, name: string, value: number, opts: Attrs = {}): HTMLLabelElement {
  return el('label', { class: 'field' }, label, el('input', { type: 'number', name, value, ...opts }));
}

/** Reads a number input inside `root` by name. */
export function readNumber(root: HTMLElement, name: string): number {
  const input = root.querySelector<HTMLInputElement>(`input[name="${name}"]`);
  return input ? Number(input.value) : NaN;
}

/** Formats a byte count (1.2 MB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
