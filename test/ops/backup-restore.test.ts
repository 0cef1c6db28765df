import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migratedDataDir } from '../helpers/db-template.js';
import { emptyPostgres } from '../helpers/empty-postgres.js';
import { runOps } from '../helpers/ops.js';
import { contents, seedInstallation } from './fixture.js';

const pgUrl = process.env.TEST_DATABASE_URL;

describe('npm run db:backup and db:restore', () => {
  let dir: string;
  let expected: Record<string, string[]>;
  const source = () => join(dir, 'source');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'banditore-backup-'));
    // A first start's initdb and migrations (~5 s of CPU) are not what is dumped: copy the template.
    const database = await openDatabase({ dataDir: await migratedDataDir(source()) });
    await seedInstallation(database.db);
    expected = await contents(database);
    await database.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('dumps the embedded database, login included, and restores it whole into a new directory', async () => {
    const file = join(dir, 'backup.sql');
    const backup = await runOps('backup', [file], { DATA_DIR: source() });
    expect(backup.stderr).toMatch(/wrote .*backup\.sql \(.* MB, .* rows, 39 subscribers\)/);
    expect(backup.code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const dump = readFileSync(file, 'utf8');
    expect(dump).toContain("-- It holds the WhatsApp login (the number's keys)");
    expect(dump).toContain('INSERT INTO public.wa_auth');

    const restore = await runOps('restore', [file], { DATA_DIR: join(dir, 'restored') });
    expect(restore.stderr).toMatch(/loaded and verified \d+ rows in \d+ tables/);
    expect(restore.code).toBe(0);
    const restored = await openDatabase({ dataDir: join(dir, 'restored') });
    try {
      expect(await contents(restored)).toEqual(expected);
    } finally {
      await restored.close();
    }

    // A second restore into the same, now full, directory is refused and changes nothing.
    const again = await runOps('restore', [file], { DATA_DIR: join(dir, 'restored') });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /already holds data \(39 subscribers, .*\); restore only into an empty database/,
    );
    const after = await openDatabase({ dataDir: join(dir, 'restored') });
    try {
      expect(await contents(after)).toEqual(expected);
    } finally {
      await after.close();
    }
  }, 240_000);

  it('refuses a file that exists, a database that does not, and a file that is not a dump', async () => {
    writeFileSync(join(dir, 'taken.sql'), 'old backup');
    const taken = await runOps('backup', [join(dir, 'taken.sql')], { DATA_DIR: source() });
    expect(taken).toMatchObject({ code: 1, stderr: expect.stringMatching(/taken\.sql already exists/) });
    expect(readFileSync(join(dir, 'taken.sql'), 'utf8')).toBe('old backup');

    const missing = await runOps('backup', [join(dir, 'x.sql')], { DATA_DIR: join(dir, 'nothing') });
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/no embedded database in .*nothing/),
    });

    const notDump = await runOps('restore', [join(dir, 'taken.sql')], { DATA_DIR: join(dir, 'other') });
    expect(notDump).toMatchObject({ code: 1, stderr: expect.stringMatching(/not a plain-SQL pg_dump/) });
  }, 120_000);

  it.skipIf(!pgUrl)(
    'dumps Postgres the same way, and the dump restores into an empty Postgres and an empty embedded database',
    async () => {
      const from = await emptyPostgres(pgUrl!);
      const to = await emptyPostgres(pgUrl!);
      try {
        const file = join(dir, 'postgres.sql');
        const seeded = await openDatabase({ url: from.url, maxConnections: 2 });
        try {
          await seedInstallation(seeded.db);
          expected = await contents(seeded);
        } finally {
          await seeded.close();
        }

        const backup = await runOps('backup', [file], { DATABASE_URL: from.url });
        expect(backup.stderr).toMatch(/copied subscribers: 39 of 39 rows/);
        expect(backup.code).toBe(0);

        const targets: Record<string, string>[] = [
          { DATABASE_URL: to.url },
          { DATA_DIR: join(dir, 'from-postgres') },
        ];
        for (const env of targets) {
          const restore = await runOps('restore', [file], env);
          expect(restore.code, restore.stderr).toBe(0);
          const restored = await openDatabase({
            url: env.DATABASE_URL,
            dataDir: env.DATA_DIR,
            maxConnections: 2,
          });
          try {
            expect(await contents(restored)).toEqual(expected);
          } finally {
            await restored.close();
          }
        }
      } finally {
        await from.drop();
        await to.drop();
      }
    },
    600_000,
  );
});
