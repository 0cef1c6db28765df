import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '..', 'src');

/** Libraries only some requests need: each costs start-up time when imported at the top. */
const LOADED_ON_DEMAND = ['echarts', '@resvg/resvg-wasm', 'qrcode'];

// Static imports and re-exports only: `import()` loads when it runs, not at start-up.
const STATIC_IMPORT = /^\s*(?:import|export)\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

/** Every package the program's entry reaches through static imports, walking our own files. */
function packagesLoadedAtStart(): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const queue = [resolve(src, 'main.ts')];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
        if (existsSync(target)) queue.push(target);
      } else if (!specifier.startsWith('node:')) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
  }
  return packages;
}

describe('start-up imports', () => {
  it('leaves the chart renderer and the QR encoder to the first request that needs them', () => {
    const loaded = packagesLoadedAtStart();
    expect(loaded).toContain('grammy');
    expect(LOADED_ON_DEMAND.filter((name) => loaded.has(name))).toEqual([]);
  });

  it('loads Baileys only with the Baileys bridge, not on the Cloud API', () => {
    // ~0.6 s of CPU and ~35 MB of RSS a start on a 2-core EPYC (the bundle puts the bridge in a chunk).
    expect(packagesLoadedAtStart()).not.toContain('@whiskeysockets/baileys');
  });
});
