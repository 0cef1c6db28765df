import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadDatabaseConfig } from '../config.js';
import type { CopyProgress } from '../db/copy.js';

/** A refusal the operator can act on: printed as one line, exit 1, no stack. */
export class Refusal extends Error {}

/** One line on stderr for the operator, as `npm run db:migrate` prints. */
export function say(line: string): void {
  console.error(`banditore: ${line}`);
}

/** Runs an operations command: its problems become `banditore: ...` lines and exit code 1. */
export async function runCommand(command: () => Promise<void>): Promise<void> {
  try {
    await command();
  } catch (err) {
    const lines =
      err instanceof ConfigError ? err.problems : [err instanceof Error ? err.message : String(err)];
    for (const line of lines) say(line);
    process.exit(1);
  }
}

export type Place = { url?: string | undefined; dataDir?: string | undefined; label: string };

/** The database the environment names, as `npm start` reads it: DATABASE_URL, else DATA_DIR. */
export function environmentDatabase(): Place {
  const { databaseUrl, dataDir } = loadDatabaseConfig();
  return databaseUrl
    ? { url: databaseUrl, label: `Postgres at ${hidePassword(databaseUrl)}` }
    : { dataDir, label: `the embedded database in ${resolve(dataDir)}` };
}

/** A place named on the command line: a postgres:// URL or an embedded data directory. */
export function namedDatabase(target: string): Place {
  return /^postgres(ql)?:\/\//.test(target)
    ? { url: target, label: `Postgres at ${hidePassword(target)}` }
    : { dataDir: target, label: `the embedded database in ${resolve(target)}` };
}

/** Refuses to read an embedded database that is not there (opening it would create an empty one). */
export function requireExisting(place: Place): void {
  if (place.dataDir && !existsSync(join(place.dataDir, 'PG_VERSION'))) {
    throw new Refusal(`there is no embedded database in ${resolve(place.dataDir)} (DATA_DIR)`);
  }
}

export function hidePassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Prints a copy's progress: each table when done, and a big table every few seconds. */
export function copyProgress(): (progress: CopyProgress) => void {
  let last = Date.now();
  return ({ table, copied, total }) => {
    const done = copied === total;
    if (!done && Date.now() - last < 3_000) return;
    last = Date.now();
    say(
      `${done ? 'copied' : 'copying'} ${table}: ${copied.toLocaleString('en')} of ${total.toLocaleString('en')} rows`,
    );
  };
}

export function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
