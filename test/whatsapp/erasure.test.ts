import { initAuthCreds } from '@whiskeysockets/baileys';
import { sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { rowsOf } from '../../src/db/client.js';
import { createDbKeyStore } from '../../src/whatsapp/auth-state.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin } from '../helpers/seed.js';
import { withSlowCommits } from '../helpers/slow-commits.js';
import { incomingText } from '../helpers/wa-socket.js';

// The person who leaves, and another who stays; each known by phone number and LID.
const PHONE = '393471234567';
const LID = '98765432109876';
const OTHER_PHONE = '393480000001';
const OTHER_LID = '11122233344455';
const jid = (user: string) => `${user}@s.whatsapp.net`;
const lid = (user: string) => `${user}@lid`;

/** Rows of every per-person kind Baileys keeps, under the ids it uses (see core/person-keys.ts). */
function personKeys(phone: string, lidUser: string) {
  const bytes = Buffer.from([1, 2, 3]);
  return {
    session: {
      [`${phone}.0`]: bytes,
      [`${phone}.2`]: bytes,
      [`${lidUser}_1.0`]: bytes,
      [`${lidUser}_1.3`]: bytes,
    },
    'identity-key': { [`${phone}.0`]: bytes, [`${lidUser}_1.0`]: bytes, [`${lidUser}_1.3`]: bytes },
    'device-list': { [phone]: ['0', '2'], [lidUser]: ['0', '3'] },
    'lid-mapping': { [phone]: lidUser, [`${lidUser}_reverse`]: phone },
    tctoken: { [lid(lidUser)]: { token: Buffer.from('token'), timestamp: '1790000000' } },
    'sender-key': { [`120363000000000000@g.us::${lidUser}_1::3`]: bytes },
  };
}

describeWithDatabase('erasure on "Cancella"', (ctx) => {
  const harness = bridgeHarness(ctx);

  /** Every row of every table that mentions `needle` anywhere, read as text. */
  async function rowsMentioning(needle: string): Promise<string[]> {
    const tables = rowsOf<{ name: string }>(
      await ctx.db.execute(sql`
        SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`),
    );
    const hits: string[] = [];
    for (const { name } of tables) {
      const rows = rowsOf<{ row: string }>(
        await ctx.db.execute(
          sql`SELECT t::text AS row FROM ${sql.identifier(name)} t WHERE t::text LIKE ${`%${needle}%`}`,
        ),
      );
      hits.push(...rows.map((r) => `${name}: ${r.row}`));
    }
    return hits;
  }

  async function tokenIndex(): Promise<string[]> {
    const { __index: index } = await createDbKeyStore(ctx.db).get('tctoken', ['__index']);
    return index ? JSON.parse(Buffer.from(index.token).toString()) : [];
  }

  it('forgets the person before the erasure commits: keys written for a goodbye sent at once stay away', async () => {
    // The bridge hears late that its transactions committed, so the sender may send the goodbye,
    // writing its keys, before the inbound side is back from the erasure.
    const { socket } = await harness.start({ database: withSlowCommits(ctx.database, 300) });
    socket.open();
    socket.receive([incomingText({ from: jid(PHONE), alt: lid(LID), text: 'Iscrizione' })]);
    await vi.waitFor(() => expect(harness.replies(socket, jid(PHONE))).toHaveLength(1), { timeout: 5_000 });

    socket.writeKeysOnSend();
    socket.receive([incomingText({ from: lid(LID), alt: jid(PHONE), text: 'Cancella' })]);
    await vi.waitFor(() => expect(harness.replies(socket, lid(LID))).toHaveLength(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(socket.keyWrites()).toBe(1), { timeout: 5_000 });
    expect(await rowsMentioning(LID)).toEqual([]);
    expect(await rowsMentioning(PHONE)).toEqual([]);
  });

  it('keeps the keys of a "Cancella" that erased nobody (a stranger writing it)', async () => {
    // Heard late, as above: the answer is sent, writing its session, before the inbound side knows
    // nobody was erased.
    const { socket } = await harness.start({ database: withSlowCommits(ctx.database, 300) });
    socket.open();
    socket.writeKeysOnSend();
    socket.receive([incomingText({ from: jid(OTHER_PHONE), text: 'Cancella' })]);
    await vi.waitFor(() => expect(harness.replies(socket, jid(OTHER_PHONE))).toHaveLength(1), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(socket.keyWrites()).toBe(1), { timeout: 5_000 });
    // The session Baileys encrypted the answer with is kept, or the next message would not decrypt.
    await vi.waitFor(async () => expect(await rowsMentioning(`${OTHER_PHONE}.0`)).toHaveLength(1));
  });

  it("deletes Baileys' keys for the person in every form, and nothing of anyone else's", async () => {
    const { socket } = await harness.start();
    socket.open();
    // Both subscribe; the leaving one also asked something (a cooldown row) and got a bulletin.
    socket.receive([
      incomingText({ from: jid(PHONE), alt: lid(LID), text: 'Iscrizione', pushName: 'Maria' }),
      incomingText({ from: lid(OTHER_LID), alt: jid(OTHER_PHONE), text: 'Iscrizione' }),
      incomingText({ from: jid(PHONE), alt: lid(LID), text: 'a che ora apre il comune?' }),
    ]);
    await vi.waitFor(() => expect(harness.replies(socket, jid(PHONE))).toHaveLength(2), { timeout: 5_000 });
    await approvedBulletin(ctx.db, 'Mercato spostato in piazza');
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message)).toHaveLength(2), { timeout: 5_000 });
    const store = createDbKeyStore(ctx.db);
    await store.set(personKeys(PHONE, LID));
    await store.set(personKeys(OTHER_PHONE, OTHER_LID));
    await store.set({
      'pre-key': { '1': { public: Buffer.from([9]), private: Buffer.from([9]) } },
      tctoken: { __index: { token: Buffer.from(JSON.stringify([lid(LID), lid(OTHER_LID)])) } },
    });
    await ctx.db.execute(sql`INSERT INTO wa_auth (type, id, value) VALUES ('creds', '', ${JSON.stringify(initAuthCreds())})
      ON CONFLICT DO NOTHING`);
    expect(await rowsMentioning(LID)).not.toEqual([]);

    // "Cancella" from the LID; answering it encrypts a session and issues a token, as Baileys does.
    socket.writeKeysOnSend();
    socket.receive([incomingText({ from: lid(LID), alt: jid(PHONE), text: 'Cancella' })]);
    await vi.waitFor(() => expect(harness.replies(socket, lid(LID))).toHaveLength(1), { timeout: 5_000 });
    await vi.waitFor(() => expect(socket.keyWrites()).toBe(1));

    await vi.waitFor(
      async () => {
        expect(await rowsMentioning(PHONE)).toEqual([]);
        expect(await rowsMentioning(LID)).toEqual([]);
      },
      { timeout: 5_000 },
    );
    expect(await tokenIndex()).toEqual([lid(OTHER_LID)]);
    // Everyone else's keys, and the number's own, stay.
    const kept = rowsOf<{ type: string; n: number }>(
      await ctx.db.execute(sql`SELECT type, count(*)::int AS n FROM wa_auth GROUP BY type ORDER BY type`),
    );
    expect(Object.fromEntries(kept.map((r) => [r.type, r.n]))).toEqual({
      creds: 1,
      'device-list': 2,
      'identity-key': 3,
      'lid-mapping': 2,
      'pre-key': 1,
      'sender-key': 1,
      session: 4,
      tctoken: 2,
    });
    expect(await rowsMentioning(OTHER_LID)).not.toEqual([]);
    // The anonymous counts remain: two joins, one leave.
    const events = rowsOf<{ kind: string; n: number }>(
      await ctx.db.execute(
        sql`SELECT kind, count(*)::int AS n FROM subscription_events GROUP BY kind ORDER BY kind`,
      ),
    );
    expect(events).toEqual([
      { kind: 'join', n: 2 },
      { kind: 'leave', n: 1 },
    ]);
  });

  it('lets Baileys write keys about a person again once the goodbye is behind', async () => {
    // While the goodbye goes out, the session it encrypts with is not written back (previous test).
    const { socket } = await harness.start();
    socket.open();
    socket.receive([incomingText({ from: jid(PHONE), text: 'Iscrizione' })]);
    await vi.waitFor(() => expect(harness.replies(socket, jid(PHONE))).toHaveLength(1), { timeout: 5_000 });
    socket.receive([incomingText({ from: jid(PHONE), text: 'Cancella' })]);
    await vi.waitFor(() => expect(harness.replies(socket, jid(PHONE))).toHaveLength(2), { timeout: 5_000 });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 3 * 60_000);
      socket.writeKeysOnSend();
      socket.receive([incomingText({ from: jid(PHONE), text: 'Iscrizione' })]);
      await vi.waitFor(() => expect(harness.replies(socket, jid(PHONE))).toHaveLength(3), { timeout: 5_000 });
      // The welcome's session is written once the send has encrypted it.
      await vi.waitFor(() => expect(socket.keyWrites()).toBe(1));
      const sessions = await createDbKeyStore(ctx.db).get('session', [`${PHONE}.0`]);
      expect(Object.keys(sessions)).toEqual([`${PHONE}.0`]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes back, when taken back, the latest of what it held, except what was deleted meanwhile', async () => {
    const store = createDbKeyStore(ctx.db);
    const index = (jids: string[]) => ({ token: Buffer.from(JSON.stringify(jids)), timestamp: '1' });
    const unforget = store.forget([jid(OTHER_PHONE), lid(OTHER_LID)]);
    await store.set({
      session: { [`${OTHER_PHONE}.0`]: Buffer.from([1]), [`${OTHER_PHONE}.2`]: Buffer.from([1]) },
    });
    await store.set({ session: { [`${OTHER_PHONE}.0`]: Buffer.from([2]) } });
    await store.set({ tctoken: { __index: index([lid(OTHER_LID), lid(LID)]) } });
    await store.set({ session: { [`${OTHER_PHONE}.2`]: null } });
    // Held: nothing of the person is in the table yet, and the index was written without them.
    expect(await rowsMentioning(OTHER_PHONE)).toEqual([]);
    expect(await tokenIndex()).toEqual([lid(LID)]);
    await unforget();
    const sessions = await store.get('session', [`${OTHER_PHONE}.0`, `${OTHER_PHONE}.2`]);
    expect(sessions).toEqual({ [`${OTHER_PHONE}.0`]: Buffer.from([2]) });
    expect(await tokenIndex()).toEqual([lid(OTHER_LID), lid(LID)]);
  });
});
