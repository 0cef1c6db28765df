import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initWasm, Resvg } from '@resvg/resvg-wasm';

const require = createRequire(import.meta.url);

const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="800" height="500" viewBox="0 0 800 500">
  <rect width="800" height="500" fill="#fdf6e3"/>
  <rect x="0" y="0" width="800" height="110" fill="#0b5394"/>
  <text x="400" y="72" font-family="DejaVu Sans" font-size="44" fill="#ffffff" text-anchor="middle">Comune di Esempio</text>
  <circle cx="190" cy="300" r="110" fill="#e69138"/>
  <rect x="330" y="210" width="380" height="40" rx="8" fill="#38761d"/>
  <rect x="330" y="280" width="300" height="40" rx="8" fill="#38761d"/>
  <rect x="330" y="350" width="340" height="40" rx="8" fill="#38761d"/>
  <text x="400" y="470" font-family="DejaVu Sans" font-size="30" fill="#1c1c1c" text-anchor="middle">Mercato in piazza: immagine di esempio</text>
</svg>`;

let png: Promise<Buffer> | undefined;

/** A small poster (PNG) staff can attach to a draft in the demo. */
export function sampleImage(): Promise<Buffer> {
  png ??= (async () => {
    await initWasm(readFileSync(require.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    const font = readFileSync(require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'));
    const resvg = new Resvg(SVG, { font: { fontBuffers: [font], loadSystemFonts: false } });
    return Buffer.from(resvg.render().asPng());
  })();
  return png;
}
