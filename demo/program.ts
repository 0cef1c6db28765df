import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FromProgram, ToProgram } from './wa-protocol.js';

const root = resolve(import.meta.dirname, '..');
// node itself with tsx's loader, as `npm start` runs it: the same src/main.ts, nothing of its own.
const tsxLoader = import.meta.resolve('tsx');

export type DemoProgram = {
  child: ChildProcess;
  /** Where its log goes (JSON lines, as in production). */
  logFile: string;
  send(message: ToProgram): void;
  exited: Promise<number | null>;
};

/**
 * Starts the real program (`src/main.ts all`) in `workDir`, with only the environment given (so
 * no `.env` and nothing of the shell's reaches it), and an IPC channel for the demo's socket.
 */
export function startProgram(
  workDir: string,
  env: Record<string, string>,
  onMessage: (message: FromProgram) => void,
): DemoProgram {
  const logFile = join(workDir, 'banditore.log');
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'src', 'main.ts'), 'all'], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('message', (message) => onMessage(message as FromProgram));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return {
    child,
    logFile,
    send(message) {
      if (child.connected) child.send(message);
    },
    exited,
  };
}

export const socketModule = join(root, 'demo', 'wa-socket.ts');
