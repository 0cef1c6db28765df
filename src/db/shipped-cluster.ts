import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A new embedded data directory as PGlite's initdb makes it, made once by `npm run build`
 * (scripts/pglite-cluster.ts) and shipped beside the program: a first start unpacks it instead of
 * running initdb, which took ~4.4 s of CPU and peaked at 736 MB of RSS (2-core EPYC). It holds no
 * migration and nothing of this installation: the migrations, and the secrets they make, run at
 * the first start as before. Named by PGlite's version, so a program whose PGlite differs from the
 * one that made it finds none and runs initdb.
 */
export const clusterFileName = (): string => `pglite-cluster-${pgliteVersion()}.tar.gz`;

/** The installed PGlite's version (its package exports no package.json: read beside its entry). */
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/**
 * The shipped cluster in dist/, or undefined (then initdb makes one). `moduleUrl` is the init
 * worker's: dist/pglite-init-worker.js in the bundled program, dist/db/pglite-init-worker.js for the
 * operations commands (they run file by file), src/db/pglite-init-worker.ts in development (under
 * tsx, e.g. `npm run demo`, beside the dist/ that `npm install` built).
 */
export function shippedCluster(moduleUrl: string): Blob | undefined {
  for (const dist of ['./', '../', '../../dist/']) {
    const file = fileURLToPath(new URL(`${dist}${clusterFileName()}`, moduleUrl));
    if (existsSync(file)) return new Blob([readFileSync(file)]);
  }
  return undefined;
}
