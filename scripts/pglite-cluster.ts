import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { clusterFileName } from '../src/db/shipped-cluster.js';

/**
 * Runs PGlite's initdb once, in memory, and writes the new data directory, gzipped, into `outdir`
 * (see src/db/shipped-cluster.ts).
 */
export async function makeCluster(outdir: string): Promise<void> {
  const database = new PGlite();
  try {
    await database.waitReady;
    const dump = await database.dumpDataDir('gzip');
    writeFileSync(join(outdir, clusterFileName()), Buffer.from(await dump.arrayBuffer()));
  } finally {
    await database.close();
  }
}

// `node --import tsx scripts/pglite-cluster.ts <outdir>` (tests' builds; npm run build calls it from bundle.ts).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await makeCluster(resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'dist')));
}
