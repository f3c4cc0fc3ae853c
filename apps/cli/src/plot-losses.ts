// The book's plot_losses (ch05): training and validation loss against epochs seen, with tokens seen
// on a second (top) x axis, rendered with vega-lite to SVG and with resvg to PNG.
import path from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '@llmfs/trainer';

/** The series to plot (one entry per evaluation). */
export interface LossSeries {
  epochsSeen: number[];
  tokensSeen: number[];
  trainLosses: number[];
  valLosses: number[];
}

/** The vega-lite spec of the loss plot. */
export function lossPlotSpec(s: LossSeries): TopLevelSpec {
  const rows: Array<Record<string, unknown>> = [];
  s.epochsSeen.forEach((e, i) => {
    rows.push({ epoch: e, tokens: s.tokensSeen[i], loss: s.trainLosses[i], series: 'Training loss' });
    if (Number.isFinite(s.valLosses[i]))
      rows.push({ epoch: e, tokens: s.tokensSeen[i], loss: s.valLosses[i], series: 'Validation loss' });
  });
  // both x scales run from 0 to the last point, so the two axes line up (tokens grow with epochs)
  const maxEpoch = Math.max(...s.epochsSeen, 1e-9);
  const maxTokens = Math.max(...s.tokensSeen, 1);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 500,
    height: 300,
    background: 'white',
    data: { values: rows },
    layer: [
      {
        mark: { type: 'line', point: false },
        encoding: {
          x: {
            field: 'epoch',
            type: 'quantitative',
            title: 'Epochs',
            scale: { domain: [0, maxEpoch], nice: false },
          },
          y: { field: 'loss', type: 'quantitative', title: 'Loss', scale: { zero: false } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            sort: ['Training loss', 'Validation loss'],
            legend: { orient: 'top-right' },
          },
          strokeDash: { field: 'series', type: 'nominal', sort: ['Training loss', 'Validation loss'] },
        },
      },
      {
        // invisible layer carrying the tokens-seen axis (the book's ax1.twiny())
        mark: { type: 'point', opacity: 0 },
        encoding: {
          x: {
            field: 'tokens',
            type: 'quantitative',
            title: 'Tokens seen',
            axis: { orient: 'top', format: '~s' },
            scale: { domain: [0, maxTokens], nice: false },
          },
          y: { field: 'loss', type: 'quantitative', scale: { zero: false } },
        },
      },
    ],
    resolve: { scale: { x: 'independent' } },
  };
}

/** Renders the loss plot as an SVG string. */
export async function lossPlotSvg(s: LossSeries): Promise<string> {
  const view = new vega.View(vega.parse(compile(lossPlotSpec(s)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes `loss.svg` and `loss.png` (2x scale) into `dir`; returns their paths. */
export async function plotLosses(dir: string, s: LossSeries): Promise<{ svg: string; png: string }> {
  const svg = await lossPlotSvg(s);
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  })
    .render()
    .asPng();
  const svgPath = path.join(dir, 'loss.svg');
  const pngPath = path.join(dir, 'loss.png');
  writeFileAtomic(svgPath, svg); // never half a plot, even when killed here
  writeFileAtomic(pngPath, png);
  return { svg: svgPath, png: pngPath };
}
