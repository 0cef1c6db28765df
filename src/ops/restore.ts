import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { comuneData } from '../core/installation.js';
import { openDatabase } from '../db/client.js';
import { countRows } from '../db/copy.js';
import { loadDump, prepareDump, rowsInDump } from '../db/load-dump.js';
import { environmentDatabase, Refusal, runCommand, say, seconds } from './cli.js';

// `npm run db:restore -- <file>`: loads a dump into the empty database the environment names.
await runCommand(async () => {
  const file = process.argv[2];
  if (!file) throw new Refusal('usage: npm run db:restore -- <file>');
  let script: string;
  try {
    script = prepareDump(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Refusal(`${resolve(file)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const place = environmentDatabase();
  const started = Date.now();
  const options = { url: place.url, dataDir: place.dataDir, maxConnections: 2 };
  const database = await openDatabase(options);
  try {
    const data = await comuneData(database.db);
    if (data.length > 0) {
      throw new Refusal(
        `${place.label} already holds data (${data.join(', ')}); restore only into an empty database: ` +
          'set DATA_DIR to a new directory or DATABASE_URL to a new database, and run this again',
      );
    }
    say(`loading ${(Buffer.byteLength(script) / 1e6).toFixed(1)} MB into ${place.label}`);
    await loadDump(database, script);
    const expected = rowsInDump(script);
    for (const [table, rows] of expected) {
      const landed = await countRows(database.db, table);
      if (landed !== rows) throw new Error(`${table}: the dump holds ${rows} rows, ${landed} arrived`);
    }
    const total = [...expected.values()].reduce((sum, n) => sum + n, 0);
    say(`loaded and verified ${total.toLocaleString('en')} rows in ${expected.size} tables`);
  } finally {
    await database.close();
  }
  // Opened again so the migrations newer than the dump apply.
  const reopened = await openDatabase(options);
  await reopened.close();
  say(`restored ${resolve(file)} into ${place.label} in ${seconds(started)}; start the program as usual`);
});
