import { sql } from 'drizzle-orm';
import { type Database, type Db, rowsOf } from '../../src/db/client.js';
import { tablesParentsFirst } from '../../src/db/copy.js';
import { approvedBulletin, seedSubscribers } from '../helpers/seed.js';

/**
 * An installation with something of every kind: subscribers (one erased, an id gap), a sent
 * bulletin with an image, the WhatsApp login, jsonb notices, a staff list, awkward text.
 */
export async function seedInstallation(db: Db): Promise<void> {
  await seedSubscribers(db, 40);
  await db.execute(sql`DELETE FROM subscribers WHERE id = 40`);
  await db.execute(sql`UPDATE subscribers SET phone_jid = NULL, lid = NULL, erased_at = now() WHERE id = 39`);
  await db.execute(sql`INSERT INTO lists (slug, name) VALUES ('scuole', 'Scuole e "asili"')`);
  await db.execute(sql`INSERT INTO subscription_events (list_id, kind) VALUES (1, 'join'), (1, 'leave')`);
  await db.execute(sql`
    INSERT INTO media (kind, mime_type, size, sha256, data)
    VALUES ('image', 'image/png', 6, 'abc', '\\x89504e470d0a'::bytea)`);
  const bulletin = await approvedBulletin(
    db,
    "Avviso: *strade* chiuse\nl'ingresso è da via \\Roma; 100% 😀",
    {
      mediaId: 1,
    },
  );
  await db.execute(sql`
    UPDATE deliveries SET state = 'sent', sent_at = now() - interval '1 hour 0.123456 seconds'
    WHERE bulletin_id = ${bulletin.id} AND subscriber_id < 20`);
  await db.execute(sql`
    INSERT INTO wa_auth (type, id, value) VALUES
      ('creds', '', '{"me":{"id":"390000000000:1@s.whatsapp.net"},"noiseKey":{"private":{"type":"Buffer","data":"c2VjcmV0"}}}'),
      ('pre-key', '1', '{"private":"a2V5"}')`);
  await db.execute(
    sql`UPDATE bridge_state SET linked_at = now(), linked_number = '390000000000@s.whatsapp.net'`,
  );
  await db.execute(
    sql`INSERT INTO staff_notices (kind, payload) VALUES ('wa_linked', '{"number":null,"n":[1,2]}')`,
  );
  await db.execute(
    sql`INSERT INTO staff_members (telegram_id, role, granted_by) VALUES (9007199254740991, 'redattore', 1)`,
  );
}

/** Every public table's rows as JSON (UTC), sorted, and every sequence's position: equal means the same data. */
export async function contents(database: Database): Promise<Record<string, string[]>> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`SET LOCAL TIME ZONE 'UTC'`);
    const out: Record<string, string[]> = {};
    for (const table of await tablesParentsFirst(tx)) {
      const rows = rowsOf<{ j: string }>(
        await tx.execute(sql.raw(`SELECT row_to_json(t)::text AS j FROM public."${table}" t`)),
      );
      out[table] = rows.map((r) => r.j).sort();
    }
    const sequences = rowsOf<{ name: string; last: string | number }>(
      await tx.execute(
        sql`SELECT sequencename AS name, last_value AS last FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
      ),
    );
    out.sequences = sequences.map((s) => `${s.name}=${s.last}`);
    return out;
  });
}
