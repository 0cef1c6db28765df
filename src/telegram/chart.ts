import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import * as echarts from 'echarts';
import type { SubscriberSeries } from '../core/statistics.js';
import { chartTitle } from './texts.js';

const WIDTH = 900;
const HEIGHT = 450;
/** More lines than this are unreadable on a phone; the largest lists are drawn. */
const MAX_LINES = 8;

const require = createRequire(import.meta.url);
let ready: Promise<Buffer> | undefined;

/** resvg's WebAssembly and the font, loaded once: the font is given explicitly, never the system's. */
function load(): Promise<Buffer> {
  ready ??= (async () => {
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    return readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
  })();
  return ready;
}

/** The chart as SVG, drawn by ECharts' server-side renderer (no DOM, no canvas). */
export function subscribersChartSvg(series: SubscriberSeries): string {
  const lists = [...series.lists]
    .sort((a, b) => (b.counts.at(-1) ?? 0) - (a.counts.at(-1) ?? 0))
    .slice(0, MAX_LINES);
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: WIDTH, height: HEIGHT });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#ffffff',
      textStyle: { fontFamily: 'DejaVu Sans' },
      title: { text: chartTitle(), left: 'center', top: 10, textStyle: { fontSize: 18 } },
      legend: { show: lists.length > 1, bottom: 8 },
      grid: { left: 60, right: 30, top: 55, bottom: lists.length > 1 ? 70 : 40 },
      xAxis: {
        type: 'category',
        boundaryGap: false,
        data: series.days.map((d) => `${d.slice(8, 10)}/${d.slice(5, 7)}`),
        axisLabel: { interval: 13 },
      },
      yAxis: { type: 'value', minInterval: 1 },
      series: lists.map((list) => ({
        name: list.name,
        type: 'line',
        showSymbol: false,
        data: list.counts,
        ...(lists.length === 1 ? { areaStyle: { opacity: 0.15 } } : {}),
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

let last: { key: string; png: Buffer } | undefined;

/**
 * The subscribers chart as a PNG, 900 × 450. Drawing blocks the event loop for a few hundred
 * milliseconds, so the last chart is kept: until someone joins or leaves, or the day changes,
 * asking again costs nothing.
 */
export async function subscribersChartPng(series: SubscriberSeries): Promise<Buffer> {
  const key = JSON.stringify(series);
  if (last?.key === key) return last.png;
  const font = await load();
  const svg = subscribersChartSvg(series);
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: 'DejaVu Sans', loadSystemFonts: false },
    background: '#ffffff',
  });
  try {
    const image = resvg.render();
    const png = Buffer.from(image.asPng());
    image.free();
    last = { key, png };
    return png;
  } finally {
    resvg.free();
  }
}
