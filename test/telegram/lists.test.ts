import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEntries } from '../../src/core/audit.js';
import { createList } from '../../src/core/lists.js';
import { setRole } from '../../src/core/staff.js';
import { optIn } from '../../src/core/subscriptions.js';
import { lists } from '../../src/db/schema.js';
import { parseListsCommand } from '../../src/telegram/lists.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, approvatore, createTestBot } from './support.js';

const admins = [admin.id];

describe('parseListsCommand', () => {
  it.each([
    ['', { action: 'show' }],
    ['crea Scuola', { action: 'create', name: 'Scuola', description: '' }],
    [
      'crea Protezione civile | Allerte meteo',
      { action: 'create', name: 'Protezione civile', description: 'Allerte meteo' },
    ],
    ['rinomina scuola Scuole e mense', { action: 'rename', slug: 'scuola', name: 'Scuole e mense' }],
    [
      'descrivi Scuola Calendari e mense',
      { action: 'describe', slug: 'scuola', description: 'Calendari e mense' },
    ],
    ['archivia scuola', { action: 'archive', slug: 'scuola' }],
  ])('reads %j', (text, command) => {
    expect(parseListsCommand(text)).toEqual(command);
  });

  it.each(['crea', 'rinomina scuola', 'archivia', 'archivia a b', 'cancella scuola'])(
    'does not read %j',
    (text) => {
      expect(parseListsCommand(text)).toBeUndefined();
    },
  );
});

describeWithDatabase('/liste', (ctx) => {
  it('lets an amministratore create, rename, describe and archive lists, and shows members', async () => {
    const t = createTestBot(ctx.db);
    await t.say(admin, '/liste crea Protezione Civile | Allerte meteo e viabilità');
    expect(t.sent()[0]).toBe('Lista protezione-civile creata.');
    await optIn(ctx.db, {
      address: { lid: '1@lid' },
      messageId: 'M1',
      privacyVersion: '1',
      list: 'protezione-civile',
    });
    await optIn(ctx.db, { address: { lid: '2@lid' }, messageId: 'M2', privacyVersion: '1' });

    await t.say(admin, '/liste rinomina protezione-civile Allerte');
    await t.say(admin, '/liste descrivi protezione-civile Solo emergenze');
    await t.say(admin, '/liste');
    expect(t.sent().slice(1)).toEqual([
      'Lista protezione-civile rinominata.',
      'Lista protezione-civile descritta.',
      [
        'Liste attive (i cittadini scrivono "Iscrizione <lista>"):',
        '• notizie (predefinita): Notizie del Comune, 1 iscritto — Avvisi e notizie ufficiali del Comune',
        '• protezione-civile: Allerte, 1 iscritto — Solo emergenze',
      ].join('\n'),
    ]);

    await t.say(admin, '/liste archivia protezione-civile');
    expect(t.sent()[4]).toBe('Lista protezione-civile archiviata.');
    const [row] = await ctx.db.select().from(lists).where(eq(lists.slug, 'protezione-civile'));
    expect(row?.archivedAt).toBeInstanceOf(Date);
    expect((await auditEntries(ctx.db)).filter((a) => a.action === 'list_change')).toHaveLength(4);
  });

  it('refuses changes from anyone but an amministratore, and explains mistakes', async () => {
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: approvatore.id,
      role: 'approvatore',
      adminIds: admins,
    });
    await createList(ctx.db, { actorId: admin.id, adminIds: admins, name: 'Scuola' });
    const t = createTestBot(ctx.db);
    await t.say(approvatore, '/liste crea Eventi');
    await t.say(approvatore, '/liste');
    await t.say(admin, '/liste crea Scuola');
    await t.say(admin, '/liste archivia notizie');
    await t.say(admin, '/liste rinomina teatro Teatro');
    await t.say(admin, '/liste crea !!!');
    await t.say(admin, '/liste boh');
    expect(t.sent()[0]).toBe('Il tuo ruolo non lo consente.');
    expect(t.sent()[1]).toContain('• scuola: Scuola, 0 iscritti');
    expect(t.sent().slice(2, 6)).toEqual([
      'Esiste già una lista con questo nome.',
      'La lista predefinita non si può archiviare.',
      'Lista non trovata (o archiviata). /liste mostra quelle attive.',
      'Nome di lista non valido: usa lettere e numeri.',
    ]);
    expect(t.sent()[6]).toContain('/liste crea <nome>');
  });
});
