import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..', '..');
// node itself with tsx's loader, not the tsx binary: tsx runs the program in a second process,
// and a SIGKILL to the first would leave the program running.
export const tsxLoader = import.meta.resolve('tsx');
const main = join(root, 'src', 'main.ts');

/**
 * Node flags for the programs tests start. Each start compiled PGlite's WebAssembly twice, the second
 * time optimised on background threads: ~1.5 s of CPU a start, which tests never win back in speed.
 * Tests run it unoptimised; what they check does not depend on V8's tiers (the program's own choice
 * is in src/db/client.ts, measured by the bench).
 */
export const testNodeFlags = ['--liftoff-only'];

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
  const child = spawn(process.execPath, [...testNodeFlags, '--import', tsxLoader, main, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
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
