import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { bundleProgram } from '../scripts/bundle.js';
import { root } from './helpers/program.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it("a build removes the chunks an earlier build left in dist/, and keeps tsc's modules beside them", () => {
  const outdir = mkdtempSync(join(tmpdir(), 'banditore-bundle-'));
  dirs.push(outdir);
  // An earlier build's chunk, with its map and legal notes; a module tsc compiled (config.js).
  for (const name of [
    'chunk-ABCD1234.js',
    'chunk-ABCD1234.js.map',
    'chart-ZZZZ9999.js.LEGAL.txt',
    'config.js',
  ])
    writeFileSync(join(outdir, name), '');
  bundleProgram(root, outdir);
  const files = readdirSync(outdir);
  expect(files).not.toContain('chunk-ABCD1234.js');
  expect(files).not.toContain('chunk-ABCD1234.js.map');
  expect(files).not.toContain('chart-ZZZZ9999.js.LEGAL.txt');
  expect(files).toContain('config.js');
  expect(existsSync(join(outdir, 'main.js'))).toBe(true);
  // This build's own chunks stay: main.js imports them.
  expect(files.filter((name) => /^bridge-[A-Z0-9]{8}\.js$/.test(name))).toHaveLength(1);
}, 60_000);
