import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { version as esbuildVersion, transformSync } from 'esbuild';
import { bundleProgram } from '../../scripts/bundle.js';
import { clusterFileName } from '../../src/db/shipped-cluster.js';

const root = resolve(import.meta.dirname, '..', '..');

const builds = join(root, 'node_modules', '.cache', 'banditore-programs');
let built: string | undefined;

/**
 * src/ and test/helpers/ as JavaScript, transpiled by esbuild (as tsx does), file by file, in a
 * directory named by a hash of the sources (so a changed source means a new build). Programs run
 * from it with plain node: under tsx's loader every module Node resolves or loads, grammY's and
 * Baileys' included, crosses to the loader's thread and back, which roughly doubled the CPU of
 * importing the program's dependencies (~1.1 s -> ~2.5 s a start, measured). The program itself
 * (src/main.ts) runs bundled, as `npm start` runs it (scripts/bundle.ts); the operations commands
 * and the stand-in modules a test names run file by file.
 */
export function programBuild(): string {
  if (built) return built;
  const sources = [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'test', 'helpers'))].sort();
  const tsconfig = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  const options = { loader: 'ts', format: 'esm', target: 'node20' } as const;
  // A build is named by everything that makes it: sources, compiler options, esbuild's version, and
  // for the bundle its options and the installed packages.
  const hash = createHash('sha256')
    .update(tsconfig)
    .update(JSON.stringify(options))
    .update(esbuildVersion)
    .update(readFileSync(join(root, 'scripts', 'bundle.ts')))
    .update(readFileSync(join(root, 'package-lock.json')));
  for (const file of sources) hash.update(`${relative(root, file)}\0`).update(readFileSync(file));
  const dir = join(builds, hash.digest('hex').slice(0, 16));
  if (!existsSync(dir)) {
    mkdirSync(builds, { recursive: true });
    const temporary = mkdtempSync(join(builds, 'building-'));
    const tsconfigRaw = { compilerOptions: JSON.parse(tsconfig).compilerOptions };
    for (const file of sources) {
      const out = join(temporary, relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(out), { recursive: true });
      const { code } = transformSync(readFileSync(file, 'utf8'), {
        ...options,
        sourcefile: file,
        tsconfigRaw,
      });
      writeFileSync(out, code);
    }
    // Under node_modules/ a file has no package scope of its own: say these are ES modules.
    writeFileSync(join(temporary, 'package.json'), '{ "type": "module" }\n');
    // The program itself as `npm run build` makes it: one file, as production runs it, with the
    // new data directory a first start unpacks (made once per PGlite version: initdb is seconds).
    bundleProgram(root, join(temporary, 'bundle'));
    // (Beside the bundle, and one directory above src/db/ for the operations commands.)
    const cluster = shippedClusterFile();
    for (const place of ['bundle', 'src']) copyFileSync(cluster, join(temporary, place, clusterFileName()));
    try {
      renameSync(temporary, dir);
    } catch {
      // Another test worker finished the same build first.
      rmSync(temporary, { recursive: true, force: true });
    }
    // Builds unused for an hour go (one in use is touched below, each time a worker takes it up).
    for (const old of readdirSync(builds)) {
      const path = join(builds, old);
      if (path !== dir && Date.now() - statSync(path).mtimeMs > 3_600_000)
        rmSync(path, { recursive: true, force: true });
    }
  }
  const now = new Date();
  utimesSync(dir, now, now);
  built = dir;
  return dir;
}

/**
 * scripts/pglite-cluster.ts's output for the installed PGlite: the one `npm install` built into
 * dist/ (as in CI), or else made once beside the builds.
 */
function shippedClusterFile(): string {
  const installed = join(root, 'dist', clusterFileName());
  if (existsSync(installed)) return installed;
  const file = join(builds, clusterFileName());
  if (!existsSync(file)) {
    const temporary = mkdtempSync(join(builds, 'cluster-'));
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(root, 'scripts', 'pglite-cluster.ts'), temporary],
      {
        cwd: root,
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    renameSync(join(temporary, clusterFileName()), file);
    rmSync(temporary, { recursive: true, force: true });
  }
  const now = new Date();
  utimesSync(file, now, now);
  return file;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A module of src/ or test/helpers/ (as the .ts path tests name it) in the build. */
export function builtModule(file: string): string {
  const path = relative(root, file);
  if (path === join('src', 'main.ts')) return join(programBuild(), 'bundle', 'main.js');
  if (
    !/\.ts$/.test(path) ||
    !(path.startsWith(`src${sep}`) || path.startsWith(join('test', 'helpers') + sep))
  )
    return file;
  return join(programBuild(), path.replace(/\.ts$/, '.js'));
}
