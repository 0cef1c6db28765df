import { readdirSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BuildOptions, buildSync } from 'esbuild';
import { makeCluster } from './pglite-cluster.js';

// The program as one file: Node no longer resolves, reads and compiles hundreds of modules one by one
// at each start, and code nothing calls is left out. Measured on a 2-core EPYC, from `node` to a
// healthy /healthz on an existing embedded database: 2.1 s of CPU file by file, 1.5-1.65 s bundled
// (see README).

/**
 * Left as packages: PGlite and its tools load their WebAssembly and data files from beside their own
 * modules; the chart's WebAssembly and font are read from their packages; pino starts its transports
 * from files; Baileys' optional dependencies are imported only when installed. Baileys itself too:
 * a stand-in socket (WA_SOCKET_MODULE, in tests and the bench) imports it, and a second copy in the
 * bundle cost ~35 MB of RSS (bundled 165 MB idle on Postgres, 133 MB with Baileys left out) for
 * ~0.15 s of CPU a start.
 */
const EXTERNAL = [
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  '@electric-sql/pglite-tools',
  '@electric-sql/pglite-tools/*',
  '@resvg/resvg-wasm',
  'dejavu-fonts-ttf',
  'pino',
  'pino-*',
  'thread-stream',
  'sharp',
  'jimp',
  'link-preview-js',
  'audio-decode',
  '@whiskeysockets/baileys',
];

/**
 * src/main.ts bundled into `outdir`/main.js, beside the embedded database's first-start worker
 * (src/db/first-start.ts starts ./pglite-init-worker.js next to the module that runs it).
 */
export function bundleProgram(root: string, outdir: string): void {
  const options: BuildOptions = {
    entryPoints: {
      main: join(root, 'src', 'main.ts'),
      'pglite-init-worker': join(root, 'src', 'db', 'pglite-init-worker.ts'),
    },
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // What only some starts need loads on first use, from a chunk of its own: the Baileys bridge
    // (Baileys itself with it) when the transport is Baileys, the subscribers' chart when asked.
    // Chunks sit beside main.js, as code that finds files beside its own module expects
    // (first-start.ts, shipped-cluster.ts).
    splitting: true,
    chunkNames: '[name]-[hash]',
    target: 'node20',
    external: EXTERNAL,
    // CommonJS dependencies call require(): an ES module has none of its own.
    banner: {
      js: "import { createRequire as __require_of } from 'node:module'; const require = __require_of(import.meta.url);",
    },
    // Error and class names stay as written: logs print them, and code matches some by name.
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'linked',
    logLevel: 'error',
    metafile: true,
  };
  const { metafile } = buildSync(options);
  removeStaleChunks(outdir, new Set(Object.keys(metafile?.outputs ?? {}).map((path) => basename(path))));
}

/** A chunk's files, by the name `chunkNames` gives them: `<name>-<8-character hash>.js` and its .map and .LEGAL.txt. */
const CHUNK_FILE = /^[\w-]+-[A-Z0-9]{8}\.js(\.map|\.LEGAL\.txt)?$/;

/**
 * Chunks an earlier build left in outdir: their names change with their content, so without this
 * dist/ (and the image built from it) would gather every past build's chunks.
 */
function removeStaleChunks(outdir: string, outputs: Set<string>): void {
  for (const name of readdirSync(outdir))
    if (CHUNK_FILE.test(name) && !outputs.has(name)) rmSync(join(outdir, name), { force: true });
}

// `node --import tsx scripts/bundle.ts`: the production bundle, into dist/ (npm run build), with
// the new data directory a first start on PGlite unpacks (src/db/shipped-cluster.ts).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const root = resolve(import.meta.dirname, '..');
  bundleProgram(root, join(root, 'dist'));
  await makeCluster(join(root, 'dist'));
}
