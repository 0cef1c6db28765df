import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Whether an embedded data directory still has to be made (PGlite's initdb). */
export const isNewDataDir = (dataDir: string): boolean => !existsSync(join(dataDir, 'PG_VERSION'));

/**
 * Makes and migrates a new embedded data directory in a process of its own, which then ends. The
 * directory comes from the cluster `npm run build` ships (shipped-cluster.ts; the process peaks at
 * ~360 MB RSS), or from initdb where there is none (~700 MB). Either way PGlite's WebAssembly memory
 * never shrinks: in the program's own thread it stayed until the next restart, and from a worker
 * thread that had ended the C allocator still kept ~100 MB (measured by `npm run bench`). The
 * program then opens the directory as it opens an existing one.
 */
export function initialiseDataDir(dataDir: string): Promise<void> {
  // It ends when the program dies (pglite-init-worker.ts).
  const child = spawn(process.execPath, [...initArgs(), dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(
            new Error(`making the data directory stopped with ${signal ?? `code ${code}`}: ${stderr.trim()}`),
          ),
    );
  });
}

/**
 * How to run pglite-init-worker beside this module: as JavaScript (built, bundled), or under tsx's
 * loader in development and tests. Tests' unoptimised WebAssembly (--liftoff-only) carries over.
 */
function initArgs(): string[] {
  const flags = process.execArgv.filter((flag) => flag === '--liftoff-only');
  if (!import.meta.url.endsWith('.ts'))
    return [...flags, fileURLToPath(new URL('./pglite-init-worker.js', import.meta.url))];
  return [
    ...flags,
    '--import',
    tsxLoader(),
    fileURLToPath(new URL('./pglite-init-worker.ts', import.meta.url)),
  ];
}

/**
 * The URL of tsx's loader, read from its package's exports: vitest's module runner has no
 * import.meta.resolve.
 */
function tsxLoader(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, unknown> };
  const loader = exports['.'];
  if (typeof loader !== 'string') throw new Error('tsx has no loader export');
  return pathToFileURL(join(dirname(manifest), loader)).href;
}
