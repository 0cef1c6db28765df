import { sql } from 'drizzle-orm';
import { expect, it, vi } from 'vitest';
import { readContactsFile } from '../../src/core/contacts-file.js';
import { confirmImport, prepareImport } from '../../src/core/import.js';
import { createList } from '../../src/core/lists.js';
import { optIn } from '../../src/core/subscriptions.js';
import { MAX_ANSWER_LENGTH } from '../../src/whatsapp/texts.js';
import { bridgeHarness } from '../helpers/bridge.js';
import { describeWithDatabase } from '../helpers/db.js';
import { approvedBulletin } from '../helpers/seed.js';
import { incomingText, type StandInSocket } from '../helpers/wa-socket.js';

const MARIA = '393331112222@s.whatsapp.net';
const LUCA = '393479998888@s.whatsapp.net';
const STRANGER = '393401234567@s.whatsapp.net';
const admins = [1];

describeWithDatabase('what citizens can ask about their own data', (ctx) => {
  const wa = bridgeHarness(ctx);

  async function importInto(list: string, number: string) {
    const preview = await prepareImport(ctx.db, {
      actorId: 1,
      adminIds: admins,
      list,
      fileHash: `file-${list}-${number}`,
      file: readContactsFile(Buffer.from(`telefono\n${number}\n`)),
    });
    if (preview.outcome !== 'ready') throw new Error(preview.outcome);
    await confirmImport(ctx.db, { actorId: 1, adminIds: admins, importId: preview.importId });
  }

  /**
   * Maria joined Notizie by writing (privacy version 2) and was imported into Scuola; Luca was
   * imported into Notizie and joined Sport by writing. Bulletins: Maria got one in the last 30
   * days and one before; Luca got two in the last 30 days.
   */
  async function arrange() {
    await createList(ctx.db, {
      actorId: 1,
      adminIds: admins,
      name: 'Scuola',
      description: 'Mense e calendari',
    });
    await createList(ctx.db, { actorId: 1, adminIds: admins, name: 'Sport' });
    await optIn(ctx.db, { address: { phoneJid: MARIA }, messageId: 'M1', privacyVersion: '2' });
    await importInto('scuola', '+39 333 111 2222');
    await importInto('notizie', '347 999 8888');
    await optIn(ctx.db, { address: { phoneJid: LUCA }, messageId: 'L1', privacyVersion: '2', list: 'sport' });
    await ctx.db.execute(sql`
      UPDATE subscriptions s SET joined_at = CASE l.slug
          WHEN 'notizie' THEN '2026-03-02T10:00:00Z'::timestamptz
          WHEN 'scuola' THEN '2026-03-05T23:30:00Z'::timestamptz
          ELSE '2026-04-01T08:00:00Z'::timestamptz END
      FROM lists l WHERE l.id = s.list_id`);
    const first = await approvedBulletin(ctx.db, 'Primo');
    const second = await approvedBulletin(ctx.db, 'Secondo');
    await ctx.db.execute(sql`
      UPDATE deliveries d SET state = 'sent', sent_at = CASE
          WHEN d.bulletin_id = ${first.id} AND s.phone_jid = ${MARIA} THEN now() - interval '40 days'
          ELSE now() - interval '2 days' END
      FROM subscribers s WHERE s.id = d.subscriber_id AND d.bulletin_id IN (${first.id}, ${second.id})`);
  }

  async function open(): Promise<StandInSocket> {
    const { socket } = await wa.start();
    socket.open();
    return socket;
  }

  async function say(socket: StandInSocket, from: string, text: string): Promise<string> {
    const before = wa.replies(socket, from).length;
    socket.receive([incomingText({ from, text, pushName: 'Qualcuno' })]);
    await vi.waitFor(() => expect(wa.replies(socket, from).length).toBe(before + 1));
    return wa.replies(socket, from).at(-1)!;
  }

  it('PRIVACY says what is kept, for how long, who the controller is, and links the notice', async () => {
    const socket = await open();
    expect(await say(socket, STRANGER, 'Privacy')).toBe(
      [
        '*Privacy delle notizie del Comune di Prova su WhatsApp*',
        'Titolare del trattamento: Comune di Prova, urp@comune.prova.it.',
        'Cosa teniamo: il tuo numero, le liste a cui sei iscritto, da quando e come ti sei iscritto ' +
          '(scrivendo o importato da lista esistente del Comune), la versione dell’informativa accettata, ' +
          'il nome del tuo profilo WhatsApp se ti sei iscritto scrivendo, e gli avvisi che ti abbiamo inviato. ' +
          'I tuoi messaggi non vengono conservati.',
        'Per quanto: finché resti iscritto. Con *Cancella* numero e nome vengono cancellati subito; ' +
          'restano conteggi anonimi e un’impronta del numero, che serve solo a non iscriverti di nuovo da un elenco importato.',
        'Per vedere i tuoi dati scrivi *I MIEI DATI*.',
        'Informativa completa: https://comune.prova.it/privacy',
      ].join('\n'),
    );
  });

  it('I MIEI DATI tells each person exactly what is held about their number, and nothing about anyone else', async () => {
    await arrange();
    const socket = await open();

    const maria = await say(socket, MARIA, 'I miei dati');
    expect(maria).toBe(
      [
        '*I tuoi dati presso le notizie del Comune di Prova*',
        'Numero: +39 333 111 2222',
        'Liste:',
        '• Notizie del Comune: dal 02/03/2026, iscritto scrivendo, informativa privacy versione 2',
        '• Scuola: dal 06/03/2026, importato da lista esistente del Comune',
        'Avvisi ricevuti negli ultimi 30 giorni: 1',
        'Per non ricevere più nulla scrivi *Cancella*. Informativa: https://comune.prova.it/privacy',
      ].join('\n'),
    );
    const luca = await say(socket, LUCA, 'DATI');
    expect(luca).toBe(
      [
        '*I tuoi dati presso le notizie del Comune di Prova*',
        'Numero: +39 347 999 8888',
        'Liste:',
        '• Notizie del Comune: dal 02/03/2026, importato da lista esistente del Comune',
        '• Sport: dal 01/04/2026, iscritto scrivendo, informativa privacy versione 2',
        'Avvisi ricevuti negli ultimi 30 giorni: 2',
        'Per non ricevere più nulla scrivi *Cancella*. Informativa: https://comune.prova.it/privacy',
      ].join('\n'),
    );
    expect(maria).not.toMatch(/347|8888|Sport/);
    expect(luca).not.toMatch(/333|2222|Scuola/);

    expect(await say(socket, STRANGER, 'i miei dati personali')).toBe(
      'Questo numero non è iscritto alle notizie del Comune di Prova: non abbiamo liste né iscrizioni a suo nome. ' +
        'Per iscriverti scrivi *Iscrizione*.',
    );
  });

  it('LISTE marks the lists the sender is already on', async () => {
    await arrange();
    const socket = await open();
    expect(await say(socket, MARIA, 'liste')).toBe(
      [
        'Liste del Comune di Prova:',
        '✅ *Iscrizione*: Avvisi e notizie ufficiali del Comune (sei iscritto)',
        '✅ *Iscrizione scuola*: Mense e calendari (sei iscritto)',
        '• *Iscrizione sport*: Sport',
        'Per lasciare una lista: *Cancella* seguito dal nome; *Cancella* da solo le lascia tutte.',
      ].join('\n'),
    );
    expect(await say(socket, STRANGER, 'LISTE')).not.toContain('✅');
  });

  it('an imported person who writes "Iscrizione" becomes a subscriber by their own consent', async () => {
    await importInto('notizie', '333 111 2222');
    const socket = await open();
    expect(await say(socket, MARIA, 'Iscrizione')).toContain('Sei già iscritto');
    expect(await say(socket, MARIA, 'dati')).toContain('iscritto scrivendo, informativa privacy versione 1');
  });

  it('each answer fits in one WhatsApp message, even with many lists', async () => {
    for (let i = 0; i < 40; i++)
      await createList(ctx.db, {
        actorId: 1,
        adminIds: admins,
        name: `Lista numero ${i} del territorio comunale`,
      });
    await optIn(ctx.db, { address: { phoneJid: MARIA }, messageId: 'M1', privacyVersion: '1' });
    await ctx.db.execute(sql`
      INSERT INTO subscriptions (subscriber_id, list_id, privacy_version)
      SELECT (SELECT id FROM subscribers WHERE phone_jid = ${MARIA}), id, '1' FROM lists WHERE NOT is_default`);
    const socket = await open();
    for (const keyword of ['PRIVACY', 'I MIEI DATI', 'LISTE']) {
      const answer = await say(socket, MARIA, keyword);
      expect(answer.length).toBeLessThanOrEqual(MAX_ANSWER_LENGTH);
    }
    expect(wa.replies(socket, MARIA)).toHaveLength(3);
    const [, ownData, lists] = wa.replies(socket, MARIA);
    expect(ownData).toMatch(
      /\n• …e altre \d+ liste \(scrivi \*LISTE\* per vederle tutte\)\.\nAvvisi ricevuti negli ultimi 30 giorni: 0\n/,
    );
    expect(lists).toMatch(/\n…e altre \d+ liste\.\nPer lasciare una lista/);
  });
});
