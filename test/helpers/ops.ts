import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { programArgs } from './program.js';

/**
 * Runs one of the operations commands (src/ops/<name>.ts) as `npm run db:<name>` does, from an empty
 * directory; the test build of it (program.ts), where npm runs it under tsx.
 */
export function runOps(
  name: 'backup' | 'restore' | 'move',
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'banditore-ops-'));
  const child = spawn(process.execPath, [...programArgs(join('src', 'ops', `${name}.ts`)), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((done) => {
    child.on('exit', (code) => {
      rmSync(cwd, { recursive: true, force: true });
      done({ code, stdout, stderr });
    });
  });
}
