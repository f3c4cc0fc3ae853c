// The book's plot_losses (ch05, listing 5.3 area): training and validation loss against epochs seen,
// with tokens seen on a second (top) x axis (matplotlib's twiny), as a self-contained SVG string. No
// plotting library and no file access: the CLI writes it (and a PNG of it), the demo can show it.

/** The series to plot (one entry per evaluation; a NaN validation loss is left out). */
export interface LossSeries {
  epochsSeen: number[];
  tokensSeen: number[];
  trainLosses: number[];
  valLosses: number[];
}

const WIDTH = 560;
const HEIGHT = 360;
/** Plot area margins: room for the axis titles and tick labels. */
const M = { left: 60, right: 20, top: 56, bottom: 48 };
const TICKS = 5;

const fmt = (x: number) => (Math.abs(x) >= 1000 ? `${+(x / 1000).toPrecision(3)}k` : `${+x.toPrecision(3)}`);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A round step (1, 2 or 5 times a power of ten) giving about TICKS intervals over `span`. */
function niceStep(span: number): number {
  const raw = span / TICKS;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((x) => x >= raw)!;
}

/** Round tick values within [lo, hi] (matplotlib-like). */
function ticks(lo: number, hi: number): number[] {
  const step = niceStep(hi - lo);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
  return out;
}

/** The loss plot as an SVG document (500 x 300 plot area, white background). */
export function plotLosses(
  epochsSeen: number[],
  tokensSeen: number[],
  trainLosses: number[],
  valLosses: number[],
): string;
export function plotLosses(s: LossSeries): string;
export function plotLosses(
  a: number[] | LossSeries,
  tokens?: number[],
  train?: number[],
  val?: number[],
): string {
  const s: LossSeries = Array.isArray(a)
    ? { epochsSeen: a, tokensSeen: tokens!, trainLosses: train!, valLosses: val! }
    : a;
  const losses = [...s.trainLosses, ...s.valLosses].filter(Number.isFinite);
  let lo = losses.length ? Math.min(...losses) : 0;
  let hi = losses.length ? Math.max(...losses) : 1;
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  // the loss axis spans whole ticks around the data
  const yStep = niceStep(hi - lo);
  [lo, hi] = [Math.floor(lo / yStep) * yStep, Math.ceil(hi / yStep) * yStep];
  // both x scales run from 0 to the last point, so the two axes line up (tokens grow with epochs)
  const maxEpoch = Math.max(...s.epochsSeen, 1e-9);
  const maxTokens = Math.max(...s.tokensSeen, 1);
  const w = WIDTH - M.left - M.right;
  const h = HEIGHT - M.top - M.bottom;
  const x = (e: number) => M.left + (e / maxEpoch) * w;
  const y = (l: number) => M.top + h - ((l - lo) / (hi - lo)) * h;
  const path = (ys: number[]) =>
    ys
      .map((l, i) => [s.epochsSeen[i], l] as const)
      .filter(([, l]) => Number.isFinite(l))
      .map(([e, l], i) => `${i ? 'L' : 'M'}${x(e).toFixed(1)},${y(l).toFixed(1)}`)
      .join(' ');
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<rect x="${M.left}" y="${M.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
  ];
  for (const v of ticks(lo, hi))
    out.push(
      `<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`,
      `<line x1="${M.left - 3}" x2="${M.left}" y1="${y(v)}" y2="${y(v)}" stroke="#888"/>`,
    );
  for (const e of ticks(0, maxEpoch))
    out.push(`<text x="${x(e)}" y="${M.top + h + 16}" text-anchor="middle">${fmt(e)}</text>`);
  for (const t of ticks(0, maxTokens))
    out.push(
      `<text x="${x((t / maxTokens) * maxEpoch)}" y="${M.top - 8}" text-anchor="middle">${fmt(t)}</text>`,
    );
  out.push(
    `<text x="${M.left + w / 2}" y="${HEIGHT - 10}" text-anchor="middle">Epochs</text>`,
    `<text x="${M.left + w / 2}" y="18" text-anchor="middle">Tokens seen</text>`,
    `<text transform="translate(16 ${M.top + h / 2}) rotate(-90)" text-anchor="middle">Loss</text>`,
    `<path d="${path(s.trainLosses)}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`,
  );
  const legend = [['Training loss', '#1f77b4', '']];
  if (s.valLosses.some(Number.isFinite)) {
    out.push(
      `<path d="${path(s.valLosses)}" fill="none" stroke="#ff7f0e" stroke-width="1.5" stroke-dasharray="6 3"/>`,
    );
    legend.push(['Validation loss', '#ff7f0e', ' stroke-dasharray="6 3"']);
  }
  legend.forEach(([name, color, dash], i) => {
    const ly = M.top + 14 + i * 16;
    const lx = M.left + w - 130;
    out.push(
      `<line x1="${lx}" x2="${lx + 24}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="1.5"${dash}/>`,
      `<text x="${lx + 30}" y="${ly}">${esc(name)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
