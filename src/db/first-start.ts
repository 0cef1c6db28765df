import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./pglite-init-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(code, { eval: true, workerData: { dataDir } });
}
