import { eq, sql } from 'drizzle-orm';
import { Api } from 'grammy';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { recordActiveRole } from '../../src/core/active-roles.js';
import { auditEntries } from '../../src/core/audit.js';
import { recordLink } from '../../src/core/bridge-state.js';
import { pauseQueue, queuePause } from '../../src/core/send-control.js';
import { setRole } from '../../src/core/staff.js';
import { bridgeState, staffMembers } from '../../src/db/schema.js';
import { parsePhoneNumber } from '../../src/telegram/link.js';
import { type QrMessage, startQrMessage } from '../../src/telegram/qr-message.js';
import { createStaffChat } from '../../src/telegram/staff-chat.js';
import { recordBotApi } from '../helpers/bot-api.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { untilOneWaitsOnALock } from '../helpers/lock-wait.js';
import { seedSubscribers } from '../helpers/seed.js';
import { admin, approvatore, createTestBot, redattore, STAFF_CHAT, stranger } from './support.js';

const admins = [admin.id];

describe('parsePhoneNumber', () => {
  it.each([
    ['390551234567', '390551234567'],
    ['+39 055 123 4567', '390551234567'],
    ['0039 055-1234567', '390551234567'],
    ['(39) 333.123.4567', '393331234567'],
  ])('reads %j as %s', (text, digits) => {
    expect(parsePhoneNumber(text)).toBe(digits);
  });

  it('reads nothing as a request for help', () => {
    expect(parsePhoneNumber('  ')).toBeUndefined();
  });

  it.each(['055 1234567', 'abc', '39055', '+39 055 1234 5678 9012', 'ciao 390551234567'])(
    'refuses %j',
    (text) => {
      expect(() => parsePhoneNumber(text)).toThrow('invalid_phone_number');
    },
  );
});

describeWithDatabase('/stato, /collega, /riprendi', (ctx) => {
  async function staff() {
    await setRole(ctx.db, { actorId: admin.id, targetId: redattore.id, role: 'redattore', adminIds: admins });
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    return createTestBot(ctx.db);
  }

  /** /stato's answer with its database size line taken out (the size varies), and that size in MB. */
  function withoutSize(text: string | undefined): { text: string; megabytes: number } {
    const lines = (text ?? '').split('\n');
    const at = lines.findIndex((line) => line.startsWith('Spazio occupato dal database: '));
    const [size] = lines.splice(at, 1);
    const match = /^Spazio occupato dal database: (\d+(?:,\d)?) MB\.$/.exec(size ?? '');
    if (!match) throw new Error(`no database size in /stato: ${text}`);
    return { text: lines.join('\n'), megabytes: Number(match[1]!.replace(',', '.')) };
  }

  it('/stato shows the link, the number, the queue, the last send, the database size and why sending is paused', async () => {
    const t = await staff();
    await t.say(redattore, '/stato');
    const first = withoutSize(t.sent()[0]);
    // A migrated, nearly empty database: PGlite's and Postgres's own catalogs take a few MB.
    expect(first.megabytes).toBeGreaterThan(1);
    expect(first.megabytes).toBeLessThan(100);
    expect(first.text).toBe(
      [
        'WhatsApp: in connessione.',
        'Numero collegato: nessuno.',
        'In coda: 0 messaggi.',
        'Ultimo invio: nessuno.',
        'Invii attivi.',
      ].join('\n'),
    );

    await recordLink(ctx.db, { link: 'open', linkedNumber: '390551234567@s.whatsapp.net' });
    await seedSubscribers(ctx.db, 3);
    await ctx.db.execute(
      sql`INSERT INTO bulletins (id, state, text, body, author_id)
          VALUES (1, 'sending', 'x', '{"text":"x","entities":[]}', 1)`,
    );
    await ctx.db.execute(sql`
      INSERT INTO deliveries (bulletin_id, subscriber_id, message_id, state, sent_at)
      VALUES (1, 1, 'A', 'sent', '2026-03-02T09:30:00Z'), (1, 2, 'B', 'pending', null), (1, 3, 'C', 'pending', null)`);
    await pauseQueue(ctx.db, {
      reason: 'reachout_timelock',
      signal: 'reachout_timelock',
      until: new Date('2030-03-02T16:00:00Z'),
    });
    await t.say(redattore, '/stato');
    expect(withoutSize(t.sent()[1]).text).toBe(
      [
        'WhatsApp: collegato.',
        'Numero collegato: +390551234567.',
        'In coda: 2 messaggi.',
        'Ultimo invio: 02/03, 10:30.',
        'Invii in pausa fino alle 02/03, 17:00: WhatsApp ha limitato temporaneamente i nuovi contatti di questo numero. Per riprendere: /riprendi.',
      ].join('\n'),
    );
  });

  it('/stato says which machine runs the bot and the bridge, and since when', async () => {
    const t = await staff();
    await recordActiveRole(ctx.db, { role: 'bot', machine: '148ed193b95e89', pid: 412 });
    await recordActiveRole(ctx.db, { role: 'bridge', machine: 'e2865013a44d08', pid: 97 });
    await ctx.db.execute(sql`UPDATE active_roles SET since = '2026-03-02T08:05:00Z'`);
    await t.say(redattore, '/stato');
    expect(t.sent()[0]!.split('\n').slice(-2)).toEqual([
      'Bot Telegram attivo su 148ed193b95e89 (processo 412) dal 02/03, 09:05.',
      'Ponte WhatsApp attivo su e2865013a44d08 (processo 97) dal 02/03, 09:05.',
    ]);
  });

  it('/stato refuses someone without a role', async () => {
    const t = await staff();
    await t.say(stranger, '/stato');
    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
  });

  it('/collega asks the bridge for a pairing code, for an amministratore only', async () => {
    const t = await staff();
    await t.say(approvatore, '/collega 390551234567');
    expect(t.sent()).toEqual(['Il tuo ruolo non lo consente.']);
    await t.say(admin, '/collega');
    expect(t.sent()[1]).toContain('Uso: /collega');
    await t.say(admin, '/collega 055 1234567');
    expect(t.sent()[2]).toContain('Numero non valido');
    expect((await ctx.db.select().from(bridgeState))[0]?.pairingRequestedAt).toBeNull();

    await t.say(admin, '/collega +39 055 1234567');
    expect(t.sent()[3]).toContain('codice di abbinamento arriva qui');
    expect((await ctx.db.select().from(bridgeState))[0]).toMatchObject({ pairingNumber: '390551234567' });
    const register = (await auditEntries(ctx.db)).filter((a) => a.action === 'wa_pairing_request');
    expect(register.map((a) => [a.actorId, a.detail])).toEqual([[admin.id, { number: '390551234567' }]]);
  });

  it('/stato names a newly linked number waiting for confirmation, and /riprendi does not lift that', async () => {
    const t = await staff();
    await recordLink(ctx.db, { link: 'open', linkedNumber: '390551234567@s.whatsapp.net' });
    await ctx.db
      .update(bridgeState)
      .set({ unconfirmedNumber: '393339999999@s.whatsapp.net', unconfirmedSince: new Date() });
    await t.say(redattore, '/stato');
    expect(t.sent()[0]).toContain('Numero collegato: +393339999999, da confermare (prima: +390551234567).');
    expect(t.sent()[0]).toContain('Per riprendere: il pulsante di conferma.');
    await t.say(approvatore, '/riprendi');
    expect(t.sent()[1]).toContain('un amministratore lo conferma con il pulsante');
  });

  it('/collega refuses when WhatsApp is already linked', async () => {
    const t = await staff();
    await recordLink(ctx.db, { link: 'open', linkedNumber: '390551234567@s.whatsapp.net' });
    await t.say(admin, '/collega 390551234567');
    expect(t.sent()[0]).toContain('WhatsApp è già collegato');
  });

  it('/riprendi resumes a paused queue for an approvatore, and records who did it', async () => {
    const t = await staff();
    await pauseQueue(ctx.db, { reason: 'error_463', signal: 'error_463' });
    await t.say(redattore, '/riprendi');
    expect(t.sent()).toEqual(['Il tuo ruolo non lo consente.']);
    expect(await queuePause(ctx.db)).toBeDefined();
    await t.say(approvatore, '/riprendi');
    await t.say(approvatore, '/riprendi');
    expect(t.sent().slice(1)).toEqual(['Invii ripresi.', 'Gli invii non erano in pausa.']);
    expect(await queuePause(ctx.db)).toBeUndefined();
    const audit = await auditEntries(ctx.db);
    expect(audit.filter((a) => a.action === 'queue_resume').map((a) => a.actorId)).toEqual([approvatore.id]);
  });

  it('/riprendi waits for a removal of the role in flight, then refuses; the queue stays paused', async () => {
    const t = await staff();
    await pauseQueue(ctx.db, { reason: 'error_463', signal: 'error_463' });
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => {
      commit = resolve;
    });
    let deleted!: () => void;
    const removedInTx = new Promise<void>((resolve) => {
      deleted = resolve;
    });
    const removal = ctx.db.transaction(async (tx) => {
      await tx.delete(staffMembers).where(eq(staffMembers.telegramId, approvatore.id));
      deleted();
      await committing;
    });
    await removedInTx;

    const resuming = t.say(approvatore, '/riprendi');
    // The role check must wait on the removed row, not read the role as it was before.
    await untilOneWaitsOnALock(ctx.database);
    commit();
    await removal;
    await resuming;

    expect(t.sent()).toEqual(['Non hai un ruolo nello staff.']);
    expect(await queuePause(ctx.db)).toBeDefined();
    expect((await auditEntries(ctx.db)).filter((a) => a.action === 'queue_resume')).toEqual([]);
  });
});

describeWithDatabase('the QR in the staff group', (ctx) => {
  const wa = bridgeHarness(ctx);

  it('posts the QR as one image, edits it as the QR rotates, and deletes it once linked', async () => {
    const telegram = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const api = recordBotApi(telegram);
    const poster: QrMessage = await startQrMessage({
      db: ctx.db,
      listen: ctx.database.listen,
      api: telegram,
      staffChat: createStaffChat(STAFF_CHAT),
      logger: pino({ level: 'silent' }),
      pollIntervalMs: 10 * 60_000,
    });
    try {
      const { bridge, socket } = await wa.start();
      socket.update({ connection: 'connecting', qr: '2@first,qr' });
      await api.waitForCall('sendPhoto');
      socket.update({ qr: '2@second,qr' });
      await api.waitForCall('editMessageMedia', 1);
      socket.update({ qr: '2@third,qr' });
      await api.waitForCall('editMessageMedia', 2);
      socket.open();
      await api.waitForCall('deleteMessage');
      await vi.waitFor(() => expect(bridge.state().link).toBe('open'));

      const [photo] = api.calls('sendPhoto');
      const [posted] = api.results<{ message_id: number }>('sendPhoto');
      expect(photo).toMatchObject({
        chat_id: STAFF_CHAT,
        caption: expect.stringContaining('Dispositivi collegati'),
      });
      expect(api.calls('sendPhoto')).toHaveLength(1);
      expect(api.calls('editMessageMedia').map((c) => c.message_id)).toEqual([
        posted!.message_id,
        posted!.message_id,
      ]);
      expect(api.calls('deleteMessage')).toEqual([{ chat_id: STAFF_CHAT, message_id: posted!.message_id }]);
      await vi.waitFor(async () =>
        expect((await ctx.db.select().from(bridgeState))[0]).toMatchObject({ qr: null, qrMessageId: null }),
      );
    } finally {
      await poster.stop();
    }
  });

  it('posts a new image when the old one cannot be edited any more', async () => {
    const telegram = new Api('123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    const api = recordBotApi(telegram);
    await ctx.db.execute(sql`UPDATE bridge_state SET qr = '2@old', qr_message_id = 77`);
    api.failNext('editMessageMedia', {
      error_code: 400,
      description: 'Bad Request: message to edit not found',
    });
    const poster = await startQrMessage({
      db: ctx.db,
      listen: ctx.database.listen,
      api: telegram,
      staffChat: createStaffChat(STAFF_CHAT),
      logger: pino({ level: 'silent' }),
    });
    try {
      await api.waitForCall('sendPhoto');
      const [posted] = api.results<{ message_id: number }>('sendPhoto');
      await vi.waitFor(async () =>
        expect((await ctx.db.select().from(bridgeState))[0]?.qrMessageId).toBe(posted!.message_id),
      );
    } finally {
      await poster.stop();
    }
  });
});
