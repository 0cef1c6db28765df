import { comuneData } from '../core/installation.js';
import { openDatabase } from '../db/client.js';
import { copyDatabase } from '../db/copy.js';
import {
  copyProgress,
  environmentDatabase,
  hidePassword,
  namedDatabase,
  Refusal,
  requireExisting,
  runCommand,
  say,
  seconds,
} from './cli.js';

// `npm run db:move -- <postgres url | data directory>`: copies the database the environment
// names (the embedded one, unless DATABASE_URL is set) into an empty one of the other kind.
await runCommand(async () => {
  const where = process.argv[2];
  if (!where) throw new Refusal('usage: npm run db:move -- <postgres://user:password@host/database>');
  const source = environmentDatabase();
  const target = namedDatabase(where);
  requireExisting(source);
  if (source.url && target.url) throw new Refusal('both databases are Postgres: use pg_dump and pg_restore');
  if (!source.url && !target.url)
    throw new Refusal('both databases are embedded: copy the directory instead');
  const started = Date.now();
  const from = await openDatabase({ url: source.url, dataDir: source.dataDir, maxConnections: 2 });
  try {
    const to = await openDatabase({ url: target.url, dataDir: target.dataDir, maxConnections: 2 });
    try {
      const data = await comuneData(to.db);
      if (data.length > 0) {
        throw new Refusal(
          `${target.label} already holds data (${data.join(', ')}); move only into an empty one`,
        );
      }
      say(`copying ${source.label} into ${target.label} (schema by the migrations, already applied)`);
      const counts = await copyDatabase(from, to, copyProgress());
      const rows = counts.reduce((sum, c) => sum + c.rows, 0);
      say(
        `copied and verified ${rows.toLocaleString('en')} rows in ${counts.length} tables in ${seconds(started)}:`,
      );
      for (const { table, rows } of counts) say(`  ${table}: ${rows.toLocaleString('en')}`);
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
  const next = target.url
    ? [
        '# The two roles apart on Postgres (put your password where *** stands, or DATABASE_URL in .env):',
        `DATABASE_URL='${hidePassword(target.url)}' npm start -- bot`,
        `DATABASE_URL='${hidePassword(target.url)}' npm start -- bridge`,
      ]
    : [
        '# Both roles in one process on the embedded database (DATABASE_URL unset):',
        `DATA_DIR='${where}' npm start`,
      ];
  process.stdout.write(`${next.join('\n')}\n`);
  say(`the old database is untouched; keep it until the new one has run for a while`);
});
