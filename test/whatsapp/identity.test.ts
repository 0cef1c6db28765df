import { expect, it, vi } from 'vitest';
import { createList } from '../../src/core/lists.js';
import { pauseQueue, resumeQueue } from '../../src/core/send-control.js';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { deliveries, subscribers, subscriptions } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin } from '../helpers/seed.js';
import { incomingText, type StandInSocket } from '../helpers/wa-socket.js';

const PN = '393334445555@s.whatsapp.net';
const LID = '140000000000123@lid';

describeWithDatabase('phone jid and LID', (ctx) => {
  const wa = bridgeHarness(ctx);

  async function open() {
    const started = await wa.start();
    started.socket.open();
    await vi.waitFor(() => expect(started.bridge.state().sending).toBe(true));
    return started.socket;
  }

  async function say(socket: StandInSocket, from: string, text: string, alt?: string) {
    const before = wa.replies(socket, from).length;
    socket.receive([incomingText({ from, text, ...(alt ? { alt } : {}) })]);
    await vi.waitFor(() => expect(wa.replies(socket, from).length).toBe(before + 1));
  }

  const people = () =>
    ctx.db.select({ phoneJid: subscribers.phoneJid, lid: subscribers.lid }).from(subscribers);

  it('keeps both forms from remoteJidAlt, either leading, and matches "Cancella" under the other', async () => {
    const socket = await open();
    await say(socket, PN, 'Iscrizione', LID);
    expect(await people()).toEqual([{ phoneJid: PN, lid: LID }]);
    await say(socket, LID, 'Cancella');
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
  });

  it('learns the phone jid of a LID-only sender from the LID mapping, and matches it later', async () => {
    const socket = await open();
    socket.lidToPn.set(LID, '393334445555:3@s.whatsapp.net');
    await say(socket, LID, 'Iscrizione');
    expect(await people()).toEqual([{ phoneJid: PN, lid: LID }]);
    await say(socket, PN, 'Cancella');
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
  });

  it('matches someone who joined under the LID and cancels under the phone jid with no alternate', async () => {
    const socket = await open();
    await say(socket, LID, 'Iscrizione');
    expect(await people()).toEqual([{ phoneJid: null, lid: LID }]);
    // Baileys learns the pair later (here through its map) and the bridge looks it up.
    socket.lidToPn.set(LID, PN);
    await say(socket, PN, 'Cancella');
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
  });

  it('learns a pair from lid-mapping.update and then sends to the phone jid', async () => {
    const socket = await open();
    await say(socket, LID, 'Iscrizione');
    socket.lidMapping('393334445555:7@s.whatsapp.net', `${LID.replace('@lid', ':7@lid')}`);
    await vi.waitFor(async () => expect(await people()).toEqual([{ phoneJid: PN, lid: LID }]));
    await approvedBulletin(ctx.db, 'Avviso');
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message).map((m) => m.jid)).toEqual([PN]));
  });

  it('makes one person of two rows once WhatsApp pairs them, so nobody gets a bulletin twice', async () => {
    await createList(ctx.db, { actorId: 1, adminIds: [1], name: 'Scuola' });
    const socket = await open();
    await say(socket, PN, 'Iscrizione');
    await say(socket, LID, 'Iscrizione');
    await say(socket, LID, 'Iscrizione scuola');
    expect(await countActiveSubscribers(ctx.db)).toBe(2);
    // Queued while the queue is paused, so both rows have a pending delivery.
    await pauseQueue(ctx.db, { reason: 'prova', signal: 'staff' });
    await approvedBulletin(ctx.db, 'Avviso');
    expect(await ctx.db.select().from(deliveries)).toHaveLength(2);

    socket.lidMapping(PN, LID);
    await vi.waitFor(async () => expect(await countActiveSubscribers(ctx.db)).toBe(1));
    const rows = await ctx.db.select().from(subscribers).orderBy(subscribers.id);
    expect(rows.map((r) => [r.phoneJid, r.lid, r.erasedAt !== null])).toEqual([
      [PN, LID, false],
      [null, null, true],
    ]);
    const memberships = await ctx.db.select().from(subscriptions);
    expect(memberships.map((m) => m.subscriberId)).toEqual([rows[0]!.id, rows[0]!.id]);

    await resumeQueue(ctx.db);
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message).map((m) => m.jid)).toEqual([PN]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.sent.filter((m) => m.message)).toHaveLength(1);
  });

  it('sends to the LID when no phone jid is known', async () => {
    const socket = await open();
    await say(socket, LID, 'Iscrizione');
    await approvedBulletin(ctx.db, 'Avviso');
    await vi.waitFor(() => expect(socket.sent.filter((m) => m.message).map((m) => m.jid)).toEqual([LID]));
  });
});
