import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
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
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(import.meta.dirname, '..', '..');
// node itself with tsx's loader, not the tsx binary: tsx runs the program in a second process,
// and a SIGKILL to the first would leave the program running.
export const tsxLoader = import.meta.resolve('tsx');

/**
 * Node flags for the programs tests start. Each start compiled PGlite's WebAssembly twice, the second
 * time optimised on background threads: ~1.5 s of CPU a start, which tests never win back in speed.
 * Tests run it unoptimised; what they check does not depend on V8's tiers (the program's own choice
 * is in src/db/client.ts, measured by the bench). The benches that start the program through this
 * helper (bench/cloud.ts, bench/outlets.ts) run outside vitest and keep V8's defaults.
 */
export const testNodeFlags = process.env.VITEST ? ['--liftoff-only'] : [];

// tsx's own esbuild (not a dependency of ours): the build transpiles as tsx would.
const { transformSync, version: esbuildVersion } = createRequire(fileURLToPath(tsxLoader))(
  'esbuild',
) as typeof import('esbuild');
const builds = join(root, 'node_modules', '.cache', 'banditore-programs');
let built: string | undefined;

/**
 * src/ and test/helpers/ as JavaScript, transpiled by the esbuild tsx uses, file by file, in a
 * directory named by a hash of the sources (so a changed source means a new build). Programs run
 * from it with plain node: under tsx's loader every module Node resolves or loads, grammY's and
 * Baileys' included, crosses to the loader's thread and back, which roughly doubled the CPU of
 * importing the program's dependencies (~1.1 s -> ~2.5 s a start, measured).
 */
export function programBuild(): string {
  if (built) return built;
  const sources = [...tsFiles(join(root, 'src')), ...tsFiles(join(root, 'test', 'helpers'))].sort();
  const tsconfig = readFileSync(join(root, 'tsconfig.json'), 'utf8');
  const options = { loader: 'ts', format: 'esm', target: 'node20' } as const;
  // A build is named by everything that makes it: sources, compiler options, esbuild's version.
  const hash = createHash('sha256').update(tsconfig).update(JSON.stringify(options)).update(esbuildVersion);
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

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** A module of src/ or test/helpers/ (as the .ts path tests name it) in the build. */
export function builtModule(file: string): string {
  const path = relative(root, file);
  if (
    !/\.ts$/.test(path) ||
    !(path.startsWith(`src${sep}`) || path.startsWith(join('test', 'helpers') + sep))
  )
    return file;
  return join(programBuild(), path.replace(/\.ts$/, '.js'));
}

/** The command line that runs a module of src/ (e.g. 'src/main.ts') built, with testNodeFlags. */
export function programArgs(script: string): string[] {
  return [...testNodeFlags, builtModule(join(root, script))];
}

/** The stand-in modules a test names (WA_SOCKET_MODULE, OUTLETS_MODULE), as the build has them. */
function builtEnv(env: Record<string, string>): Record<string, string> {
  const out = { ...env };
  for (const name of ['WA_SOCKET_MODULE', 'OUTLETS_MODULE'])
    if (out[name] !== undefined) out[name] = builtModule(resolve(out[name]));
  return out;
}

export type Program = { child: ChildProcess; output: () => string; exited: Promise<number | null> };

/** The three variables the program needs before anything else, with a well-formed fake token. */
export const botEnv = {
  TELEGRAM_BOT_TOKEN: '123456:ABCdefGhIJKlmNoPQRsTUVwxyZ012345',
  STAFF_CHAT_ID: '-1001234567890',
  ADMIN_TELEGRAM_IDS: '111',
};

/** Starts the real program as a person would, from an empty directory (so no .env is read). */
export function startProgram(args: string[], env: Record<string, string>): Program {
  const cwd = mkdtempSync(join(tmpdir(), 'banditore-main-'));
  const child = spawn(process.execPath, [...programArgs(join('src', 'main.ts')), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...builtEnv(env) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => {
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      done(code);
    });
  });
  return { child, output: () => output, exited };
}

/** Resolves once the program's /healthz answers 200; fails when it exits first or after `timeoutMs`. */
export async function healthy(port: string, program: Program, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (program.child.exitCode !== null) throw new Error(`program exited:\n${program.output()}`);
    const status = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`/healthz answered ${status}, not 200, for ${timeoutMs} ms:\n${program.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Kills the program if it still runs and waits for it to be gone. */
export async function killProgram(program: Program | undefined): Promise<void> {
  if (program && program.child.exitCode === null && program.child.signalCode === null) {
    program.child.kill('SIGKILL');
  }
  await program?.exited;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}
