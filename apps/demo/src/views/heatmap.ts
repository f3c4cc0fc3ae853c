// Draws one attention matrix on a canvas: row = query token, column = key token, colour = weight.
// Cells above the diagonal are the causal mask (a token may not look at later tokens): drawn hatched.

/** Colour of a weight in [0, 1] (white -> deep blue). */
export function weightColour(w: number): string {
  const t = Math.max(0, Math.min(1, w));
  const r = Math.round(255 - 225 * t);
  const g = Math.round(255 - 175 * t);
  const b = Math.round(255 - 75 * t);
  return `rgb(${r},${g},${b})`;
}

/** Options of drawHeatmap. */
export interface HeatmapOptions {
  cell: number;
  labels?: string[];
  labelWidth?: number;
}

/** Draws the T x T matrix starting at `offset` in `data` onto `canvas`. */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  data: Float32Array,
  offset: number,
  T: number,
  opts: HeatmapOptions,
): void {
  const { cell, labels } = opts;
  const lw = labels ? (opts.labelWidth ?? 90) : 0;
  const dpr = globalThis.devicePixelRatio || 1;
  const w = lw + T * cell;
  const h = lw + T * cell;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(dpr, dpr);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, w, h);
  for (let i = 0; i < T; i++) {
    for (let j = 0; j < T; j++) {
      const x = lw + j * cell;
      const y = lw + i * cell;
      if (j > i) {
        g.fillStyle = '#e4e4e4';
        g.fillRect(x, y, cell, cell);
        if (cell >= 6) {
          g.strokeStyle = '#bbb';
          g.beginPath();
          g.moveTo(x, y + cell);
          g.lineTo(x + cell, y);
          g.stroke();
        }
      } else {
        g.fillStyle = weightColour(data[offset + i * T + j]);
        g.fillRect(x, y, cell, cell);
      }
    }
  }
  if (labels) {
    g.fillStyle = '#222';
    g.font = `${Math.min(12, cell - 2)}px system-ui, sans-serif`;
    g.textBaseline = 'middle';
    for (let i = 0; i < T; i++) {
      const label = labels[i].replace(/\n/g, '↵').slice(0, 12);
      g.textAlign = 'right';
      g.fillText(label, lw - 4, lw + i * cell + cell / 2);
      g.save();
      g.translate(lw + i * cell + cell / 2, lw - 4);
      g.rotate(-Math.PI / 2);
      g.textAlign = 'left';
      g.fillText(label, 0, 0);
      g.restore();
    }
  }
}
