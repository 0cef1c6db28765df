import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** Whether an embedded data directory still has to be made (PGlite's initdb). */
export const isNewDataDir = (dataDir: string): boolean => !existsSync(join(dataDir, 'PG_VERSION'));

/**
 * Makes and migrates a new embedded data directory in a worker thread, which then ends. initdb grows
 * PGlite's WebAssembly memory to ~700 MB RSS, and WebAssembly memory never shrinks: in the
 * program's own thread it stayed until the next restart (measured by `npm run bench`). The program
 * then opens the directory as it opens an existing one.
 */
export function initialiseDataDir(dataDir: string): Promise<void> {
  const worker = import.meta.url.endsWith('.ts')
    ? underTsx(dataDir)
    : new Worker(new URL('./pglite-init-worker.js', import.meta.url), { workerData: { dataDir } });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`making the data directory stopped with code ${code}`)),
    );
  });
}

/**
 * Under tsx (development, tests) the sources are TypeScript, and on Node 20 a worker gets no
 * loader from the thread that starts it: it registers tsx itself.
 */
function underTsx(dataDir: string): Worker {
  const entry = new URL('./pglite-init-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsxEsmApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: { dataDir } });
}

/**
 * The URL of tsx's ESM API, read from its package's exports: vitest's module runner has no
 * import.meta.resolve, and the CommonJS build's register() cannot find its ESM hooks.
 */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: Record<string, { import: { default: string } }>;
  };
  const api = exports['./esm/api']?.import.default;
  if (!api) throw new Error('tsx has no ./esm/api export');
  return pathToFileURL(join(dirname(manifest), api)).href;
}
