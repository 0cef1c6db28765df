import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';

/**
 * Makes the database refuse the first mark of a sent reply, as when it restarts just after the
 * send (a trigger, on both engines). Returns what takes the trigger away again.
 */
export async function refuseFirstReplyMark(db: Db): Promise<() => Promise<void>> {
  await db.execute(sql`CREATE SEQUENCE refuse_reply_mark`);
  await db.execute(sql`
    CREATE FUNCTION refuse_reply_mark() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.state = 'sent' AND nextval('refuse_reply_mark') = 1 THEN RAISE EXCEPTION 'database away'; END IF;
      RETURN NEW;
    END $$`);
  await db.execute(sql`
    CREATE TRIGGER refuse_reply_mark BEFORE UPDATE ON replies
    FOR EACH ROW EXECUTE FUNCTION refuse_reply_mark()`);
  return async () => {
    await db.execute(sql`DROP TRIGGER refuse_reply_mark ON replies`);
    await db.execute(sql`DROP FUNCTION refuse_reply_mark()`);
    await db.execute(sql`DROP SEQUENCE refuse_reply_mark`);
  };
}
