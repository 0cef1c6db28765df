import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDatabase } from '../db/client.js';
import { dumpDatabase } from '../db/dump.js';
import { rowsInDump } from '../db/load-dump.js';
import {
  copyProgress,
  environmentDatabase,
  Refusal,
  requireExisting,
  runCommand,
  say,
  seconds,
} from './cli.js';

// `npm run db:backup -- <file>`: a plain SQL dump of the database the environment names.
await runCommand(async () => {
  const file = process.argv[2];
  if (!file) throw new Refusal('usage: npm run db:backup -- <file>');
  if (existsSync(file)) throw new Refusal(`${resolve(file)} already exists; name a new file`);
  const place = environmentDatabase();
  requireExisting(place);
  const started = Date.now();
  say(`backing up ${place.label}`);
  const database = await openDatabase({ url: place.url, dataDir: place.dataDir, maxConnections: 2 });
  let dump: string;
  try {
    const copying = copyProgress();
    dump = await dumpDatabase(database, (event) => {
      if (event.step === 'copy') copying(event.progress);
      else say('running pg_dump');
    });
  } finally {
    await database.close();
  }
  const header = [
    `-- banditore backup of ${place.label.replace(/^the /, '')}, made ${new Date().toISOString()}.`,
    "-- It holds the WhatsApp login (the number's keys): keep it as safe as the phone itself.",
    '-- Restore with `npm run db:restore -- <this file>` into an empty database.',
    '',
  ].join('\n');
  // Written aside and renamed: a crash never leaves a half file under the name asked for.
  const partial = `${file}.partial`;
  try {
    writeFileSync(partial, header + dump, { mode: 0o600 });
    renameSync(partial, file);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  const rows = [...rowsInDump(dump).values()].reduce((sum, n) => sum + n, 0);
  const subscribers = rowsInDump(dump).get('subscribers') ?? 0;
  const mb = (Buffer.byteLength(dump) / 1e6).toFixed(1);
  say(
    `wrote ${resolve(file)} (${mb} MB, ${rows.toLocaleString('en')} rows, ${subscribers.toLocaleString('en')} subscribers) in ${seconds(started)}`,
  );
});
