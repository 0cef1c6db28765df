import { eq, sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { createList } from '../../src/core/lists.js';
import { countActiveSubscribers } from '../../src/core/subscriptions.js';
import { deliveries, lists, subscribers, subscriptionEvents, subscriptions } from '../../src/db/schema.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin } from '../helpers/seed.js';
import { incomingText, type StandInSocket } from '../helpers/wa-socket.js';

const PN = '393331112222@s.whatsapp.net';
const LID = '140000000000077@lid';
const admins = [1];

describeWithDatabase('lists, consent and erasure', (ctx) => {
  const wa = bridgeHarness(ctx);

  async function open(config: Parameters<typeof wa.start>[0] = {}) {
    const started = await wa.start(config);
    started.socket.open();
    return started.socket;
  }

  async function say(
    socket: StandInSocket,
    text: string,
    options: { id?: string; from?: string; alt?: string } = {},
  ) {
    const from = options.from ?? PN;
    const before = wa.replies(socket, from).length;
    socket.receive([
      incomingText({
        from,
        text,
        pushName: 'Maria Rossi',
        ...(options.id ? { id: options.id } : {}),
        ...(options.alt ? { alt: options.alt } : {}),
      }),
    ]);
    await vi.waitFor(() => expect(wa.replies(socket, from).length).toBe(before + 1));
    return wa.replies(socket, from).at(-1)!;
  }

  const activeLists = async () =>
    (
      await ctx.db
        .select({ slug: lists.slug })
        .from(subscriptions)
        .innerJoin(lists, eq(lists.id, subscriptions.listId))
        .where(sql`${subscriptions.leftAt} is null`)
    )
      .map((r) => r.slug)
      .sort();

  it('records when, which message and which privacy notice each subscription came with', async () => {
    const socket = await open({ config: { privacyVersion: '3' } });
    const before = new Date();
    const reply = await say(socket, 'Iscrizione', { id: '3A0000000000000000C0' });
    expect(reply).toContain('https://comune.prova.it/privacy');
    const [row] = await ctx.db.select().from(subscriptions);
    expect(row).toMatchObject({ optInMessageId: '3A0000000000000000C0', privacyVersion: '3', leftAt: null });
    expect(row!.joinedAt.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1_000);
  });

  it('joins and leaves a named list; plain "Iscrizione" is the default list', async () => {
    await createList(ctx.db, {
      actorId: 1,
      adminIds: admins,
      name: 'Scuola',
      description: 'Mense e calendari',
    });
    const socket = await open();
    expect(await say(socket, 'Iscrizione scuola')).toContain('lista Scuola');
    expect(await say(socket, 'iscrizione')).toContain('Iscrizione fatta');
    expect(await activeLists()).toEqual(['notizie', 'scuola']);

    expect(await say(socket, 'Cancella scuola')).toContain('dalla lista Scuola');
    expect(await activeLists()).toEqual(['notizie']);
    expect(await say(socket, 'Iscrizione teatro')).toContain('Non esiste una lista "teatro"');
    expect(await activeLists()).toEqual(['notizie']);
  });

  it('answers LISTE with the lists one can join and a line on each, archived ones left out', async () => {
    await createList(ctx.db, {
      actorId: 1,
      adminIds: admins,
      name: 'Scuola',
      description: 'Mense e calendari',
    });
    await createList(ctx.db, { actorId: 1, adminIds: admins, name: 'Vecchia' });
    await ctx.db.update(lists).set({ archivedAt: new Date() }).where(eq(lists.slug, 'vecchia'));
    const socket = await open();
    const reply = await say(socket, 'LISTE');
    expect(reply).toContain('*Iscrizione*: Avvisi e notizie ufficiali del Comune');
    expect(reply).toContain('*Iscrizione scuola*: Mense e calendari');
    expect(reply).not.toContain('vecchia');
    expect(await say(socket, 'Iscrizione vecchia')).toContain('Non esiste');
  });

  it('erases the number, LID and name on a plain "Cancella", cancels pending deliveries, keeps anonymous events', async () => {
    await createList(ctx.db, { actorId: 1, adminIds: admins, name: 'Scuola' });
    const socket = await open();
    await say(socket, 'Iscrizione', { alt: LID });
    await say(socket, 'Iscrizione scuola');
    // Staff pause the queue so the bulletin's delivery is still pending when the person leaves.
    await ctx.db.execute(sql`UPDATE bridge_state SET paused_at = now(), pause_signal = 'staff'`);
    await approvedBulletin(ctx.db, 'Avviso');
    socket.receive([incomingText({ from: LID, text: 'Cancella' })]);
    // Erased at once; the goodbye waits for the pause to end, like every reply.
    await vi.waitFor(async () => expect(await countActiveSubscribers(ctx.db)).toBe(0));

    const [person] = await ctx.db.select().from(subscribers);
    expect(person).toMatchObject({ phoneJid: null, lid: null, pushName: null });
    expect(person!.erasedAt).toBeInstanceOf(Date);
    expect((await ctx.db.select().from(deliveries)).map((d) => d.state)).toEqual(['cancelled']);
    expect(await countActiveSubscribers(ctx.db)).toBe(0);
    expect(await ctx.db.select().from(subscriptions)).toEqual([]);
    const events = await ctx.db.select().from(subscriptionEvents);
    expect(events.map((e) => e.kind).sort()).toEqual(['join', 'join', 'leave', 'leave']);
    expect(Object.keys(events[0]!).sort()).toEqual(['at', 'id', 'kind', 'listId']);
    const dump = JSON.stringify(
      await ctx.db.execute(sql`SELECT * FROM subscribers, subscriptions, subscription_events`),
    );
    expect(dump).not.toContain('3331112222');
    expect(dump).not.toContain('Maria');
    expect(wa.replies(socket, LID)).toEqual([]);
    await ctx.db.execute(sql`UPDATE bridge_state SET paused_at = null, pause_signal = null`);
    await vi.waitFor(() =>
      expect(wa.replies(socket, LID).at(-1)).toContain('il tuo numero è stato cancellato'),
    );
  });

  it('lets an erased person join again as new', async () => {
    const socket = await open();
    await say(socket, 'Iscrizione');
    await say(socket, 'Cancella');
    expect(await say(socket, 'Iscrizione')).toContain('Iscrizione fatta');
    expect(await countActiveSubscribers(ctx.db)).toBe(1);
    const people = await ctx.db.select().from(subscribers).orderBy(subscribers.id);
    expect(people.map((p) => p.phoneJid)).toEqual([null, PN]);
  });

  it('leaving the last list with "Cancella <lista>" erases as well', async () => {
    await createList(ctx.db, { actorId: 1, adminIds: admins, name: 'Scuola' });
    const socket = await open();
    await say(socket, 'Iscrizione scuola');
    await say(socket, 'Cancella scuola');
    const [person] = await ctx.db.select().from(subscribers);
    expect(person).toMatchObject({ phoneJid: null, lid: null });
  });

  it('answers "Cancella" from someone who is not subscribed without creating anyone', async () => {
    const socket = await open();
    expect(await say(socket, 'Cancella')).toContain('Non risulti iscritto');
    expect(await ctx.db.select().from(subscribers)).toEqual([]);
  });
});
