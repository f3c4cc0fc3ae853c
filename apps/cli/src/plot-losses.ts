// loss.svg and loss.png of a run: the trainer's plotLosses (the book's plot_losses) draws the SVG,
// resvg renders it to PNG, and both are written crash-safely.
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { gpt2CheckpointIO } from '@llmfs/gpt2-weights';
import { plotLosses as plotLossesSvg, type LossSeries } from '@llmfs/trainer';

/** Writes `loss.svg` and `loss.png` (2x scale) into `dir`; returns their paths. */
export async function plotLosses(dir: string, s: LossSeries): Promise<{ svg: string; png: string }> {
  const svg = plotLossesSvg(s);
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  })
    .render()
    .asPng();
  const svgPath = path.join(dir, 'loss.svg');
  const pngPath = path.join(dir, 'loss.png');
  await gpt2CheckpointIO.writeText(svgPath, svg); // never half a plot, even when killed here
  await writeBytesAtomic(pngPath, png);
  return { svg: svgPath, png: pngPath };
}

/** The PNG's bytes through a temporary file and a rename, as every other output. */
async function writeBytesAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const fs = await import('node:fs/promises');
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, file);
}
