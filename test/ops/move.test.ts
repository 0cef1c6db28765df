import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { migratedDataDir } from '../helpers/db-template.js';
import { emptyPostgres } from '../helpers/empty-postgres.js';
import { runOps } from '../helpers/ops.js';
import { contents, seedInstallation } from './fixture.js';

const pgUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!pgUrl)('npm run db:move (needs TEST_DATABASE_URL for its Postgres)', () => {
  let dir: string;
  let expected: Record<string, string[]>;
  let postgres: Awaited<ReturnType<typeof emptyPostgres>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'banditore-move-'));
    // A first start's initdb and migrations (~5 s of CPU) are not what is moved: copy the template.
    const database = await openDatabase({ dataDir: await migratedDataDir(join(dir, 'embedded')) });
    await seedInstallation(database.db);
    expected = await contents(database);
    await database.close();
    postgres = await emptyPostgres(pgUrl!);
  }, 120_000);
  afterAll(async () => {
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies the embedded database into an empty Postgres and back, every row and sequence the same', async () => {
    const moved = await runOps('move', [postgres.url], { DATA_DIR: join(dir, 'embedded') });
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toMatch(/copied and verified \d+ rows in \d+ tables/);
    expect(moved.stderr).toMatch(/ {2}subscribers: 39\n/);
    const url = new URL(postgres.url);
    expect(moved.stdout).toContain(`DATABASE_URL='${url}' npm start -- bot\n`);
    expect(moved.stdout).toContain(`DATABASE_URL='${url}' npm start -- bridge\n`);
    const onPostgres = await openDatabase({ url: postgres.url, maxConnections: 2 });
    try {
      expect(await contents(onPostgres)).toEqual(expected);
    } finally {
      await onPostgres.close();
    }

    // The other way round: from the Postgres the environment names into a new data directory.
    const back = await runOps('move', [join(dir, 'back')], { DATABASE_URL: postgres.url });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain(`DATA_DIR='${join(dir, 'back')}' npm start\n`);
    const embedded = await openDatabase({ dataDir: join(dir, 'back') });
    try {
      expect(await contents(embedded)).toEqual(expected);
    } finally {
      await embedded.close();
    }

    // Postgres now holds the Comune's data: a second move into it is refused.
    const again = await runOps('move', [postgres.url], { DATA_DIR: join(dir, 'embedded') });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds data \(39 subscribers.*\); move only into an empty one/);
  }, 600_000);
});
