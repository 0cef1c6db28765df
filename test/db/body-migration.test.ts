import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { asc, eq, sql } from 'drizzle-orm';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { whatsappText } from '../../src/core/compose.js';
import { storedVersionHash, versionHash } from '../../src/core/version-hash.js';
import { addVersion } from '../../src/core/versions.js';
import { type Db, rowsOf } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';
import { bulletins, bulletinVersions } from '../../src/db/schema.js';
import { whatsappMessageText } from '../../src/whatsapp/markup.js';
import { engines } from '../helpers/db.js';
import { emptyPostgres } from '../helpers/empty-postgres.js';

const DRIZZLE = join(import.meta.dirname, '..', '..', 'drizzle');

/** The migrations folder as it was before 0016: the SQL files and a journal up to 0015. */
function migrationsUpTo(last: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'banditore-migrations-'));
  mkdirSync(join(dir, 'meta'));
  const journal = JSON.parse(readFileSync(join(DRIZZLE, 'meta', '_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  journal.entries = journal.entries.filter((e) => e.idx <= last);
  for (const e of journal.entries) copyFileSync(join(DRIZZLE, `${e.tag}.sql`), join(dir, `${e.tag}.sql`));
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
  return dir;
}

type Opened = { db: Db; migrate(folder: string): Promise<void>; close(): Promise<void> };

async function openBare(engine: 'pglite' | 'postgres', baseUrl?: string): Promise<Opened> {
  if (engine === 'pglite') {
    const client = new PGlite();
    const db = drizzlePglite({ client, schema, casing: 'snake_case' });
    return {
      db: db as unknown as Db,
      migrate: (migrationsFolder) => migratePglite(db, { migrationsFolder }),
      close: () => client.close(),
    };
  }
  const empty = await emptyPostgres(baseUrl!);
  const client = postgres(empty.url, { max: 2, onnotice: () => {} });
  const db = drizzlePostgres({ client, schema, casing: 'snake_case' });
  return {
    db: db as unknown as Db,
    migrate: (migrationsFolder) => migratePostgres(db, { migrationsFolder }),
    close: async () => {
      await client.end({ timeout: 5 });
      await empty.drop();
    },
  };
}

const LEGACY = [
  {
    id: 1,
    state: 'sending',
    text: '📢 Strada *chiusa* in via _Roma_ (https://c.example/avviso)',
    category: 'viabilita',
  },
  { id: 2, state: 'pending', text: 'Mercato ~sabato~ domenica', category: null },
] as const;

describe.each(engines)('migration 0016, the neutral body (%s)', ({ engine, url }) => {
  const folder = migrationsUpTo(15);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('gives existing bulletins a body and keeps every stored hash and what WhatsApp shows', async () => {
    const database = await openBare(engine, url);
    try {
      await database.migrate(folder);
      const { db } = database;
      const [list] = rowsOf<{ id: number; slug: string }>(
        await db.execute(sql`SELECT id, slug FROM lists WHERE is_default`),
      );
      const hashes = new Map<number, string>();
      for (const b of LEGACY) {
        const hash = versionHash({
          text: b.text,
          category: b.category,
          mediaSha256: null,
          lists: [list!.slug],
        });
        hashes.set(b.id, hash);
        const approved = b.state === 'sending' ? hash : null;
        await db.execute(sql`
          INSERT INTO bulletins (id, state, text, category, author_id, approved_version, approved_hash)
          VALUES (${b.id}, ${b.state}::bulletin_state, ${b.text}, ${b.category}, 1, 1, ${approved})`);
        await db.execute(sql`
          INSERT INTO bulletin_versions (bulletin_id, version, text, category, list_ids, hash, author_id)
          VALUES (${b.id}, 1, ${b.text}, ${b.category}, ARRAY[${list!.id}]::int[], ${hash}, 1)`);
        await db.execute(
          sql`INSERT INTO bulletin_lists (bulletin_id, list_id) VALUES (${b.id}, ${list!.id})`,
        );
      }

      await database.migrate(DRIZZLE);

      const versions = await db.select().from(bulletinVersions).orderBy(asc(bulletinVersions.bulletinId));
      const rows = await db.select().from(bulletins).orderBy(asc(bulletins.id));
      for (const [i, b] of LEGACY.entries()) {
        const version = versions[i]!;
        expect(version.body).toEqual({ text: b.text, entities: [] });
        expect(rows[i]!.body).toEqual({ text: b.text, entities: [] });
        expect(version.hashScheme).toBe('whatsapp_text');
        expect(version.hash).toBe(hashes.get(b.id));
        const input = { ...version, mediaSha256: null, lists: [list!.slug] };
        expect(storedVersionHash(version.hashScheme, input)).toBe(version.hash);
        // Citizens of a bulletin approved before the migration read exactly what was approved.
        expect(whatsappMessageText({ body: version.body, category: b.category })).toBe(whatsappText(b));
      }
      expect(rows[0]!.approvedHash).toBe(hashes.get(1));

      // A version made after the migration hashes its body; the migrated one keeps its hash.
      const body = { text: 'Mercato domenica', entities: [{ type: 'bold' as const, offset: 0, length: 7 }] };
      await addVersion(db, { actorId: 1, adminIds: [1], bulletinId: 2, body });
      const after = await db
        .select()
        .from(bulletinVersions)
        .where(eq(bulletinVersions.bulletinId, 2))
        .orderBy(asc(bulletinVersions.version));
      expect(after.map((v) => [v.version, v.hashScheme])).toEqual([
        [1, 'whatsapp_text'],
        [2, 'body'],
      ]);
      expect(after[0]!.hash).toBe(hashes.get(2));
      expect(after[1]!.body).toEqual(body);
    } finally {
      await database.close();
    }
  }, 120_000);
});
