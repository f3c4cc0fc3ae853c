// A live loss chart on a canvas: training loss per step, evaluation losses as dots.

/** Points of the chart. */
export interface LossSeries {
  steps: Array<[step: number, loss: number]>;
  train: Array<[step: number, loss: number]>;
  val: Array<[step: number, loss: number]>;
}

/** Redraws the whole chart (cheap for a few thousand points). */
export function drawLossChart(canvas: HTMLCanvasElement, s: LossSeries): void {
  const dpr = globalThis.devicePixelRatio || 1;
  const W = canvas.clientWidth || 640;
  const H = canvas.clientHeight || 260;
  canvas.width = Math.round(W * dpr);
  canvas.height = Math.round(H * dpr);
  const g = canvas.getContext('2d');
  if (!g) return;
  g.scale(dpr, dpr);
  g.fillStyle = '#fff';
  g.fillRect(0, 0, W, H);
  const all = [...s.steps, ...s.train, ...s.val].filter(([, l]) => Number.isFinite(l));
  const pad = { l: 46, r: 12, t: 12, b: 28 };
  g.strokeStyle = '#999';
  g.strokeRect(pad.l, pad.t, W - pad.l - pad.r, H - pad.t - pad.b);
  if (all.length === 0) return;
  const maxStep = Math.max(1, ...all.map(([x]) => x));
  let lo = Math.min(...all.map(([, y]) => y));
  let hi = Math.max(...all.map(([, y]) => y));
  if (hi - lo < 1e-6) {
    hi += 0.5;
    lo -= 0.5;
  }
  const X = (x: number) => pad.l + (x / maxStep) * (W - pad.l - pad.r);
  const Y = (y: number) => pad.t + (1 - (y - lo) / (hi - lo)) * (H - pad.t - pad.b);
  g.fillStyle = '#444';
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'right';
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    g.fillText(v.toFixed(2), pad.l - 4, Y(v) + 4);
  }
  g.textAlign = 'center';
  g.fillText(`step ${maxStep}`, W - pad.r - 24, H - 8);
  g.strokeStyle = '#1f5fbf';
  g.lineWidth = 1.5;
  g.beginPath();
  s.steps.forEach(([x, y], i) => (i ? g.lineTo(X(x), Y(y)) : g.moveTo(X(x), Y(y))));
  g.stroke();
  const dots = (pts: Array<[number, number]>, colour: string): void => {
    g.fillStyle = colour;
    for (const [x, y] of pts) if (Number.isFinite(y)) g.fillRect(X(x) - 3, Y(y) - 3, 6, 6);
  };
  dots(s.train, '#1f9f4f');
  dots(s.val, '#d0452f');
}
