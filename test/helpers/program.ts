import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtModule } from './program-build.js';

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
