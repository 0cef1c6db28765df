import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { recordOutletHealth, recordPostOutcome } from '../../src/core/outlet-health.js';
import { setRole } from '../../src/core/staff.js';
import { whatsappChannel } from '../../src/db/schema.js';
import { describeWithDatabase } from '../helpers/db.js';
import { admin, createTestBot, redattore } from './support.js';

const EVERY_OUTLET = ['whatsapp', 'whatsapp_channel', 'telegram_channel', 'archive'] as const;

describeWithDatabase('/stato: every outlet’s health', (ctx) => {
  async function staffBot(outlets: readonly (typeof EVERY_OUTLET)[number][] = EVERY_OUTLET) {
    await setRole(ctx.db, {
      actorId: admin.id,
      targetId: redattore.id,
      role: 'redattore',
      adminIds: [admin.id],
    });
    return createTestBot(ctx.db, {}, { outlets });
  }
  /** /stato's lines about broadcast outlets. */
  async function outletLines(t: Awaited<ReturnType<typeof staffBot>>) {
    await t.say(redattore, '/stato');
    return t
      .sent()
      .at(-1)!
      .split('\n')
      .filter((line) => /^(Canale WhatsApp|Canale Telegram|Sito):/.test(line));
  }

  it('shows one line per configured outlet: working, not working, never checked, no Channel set', async () => {
    const t = await staffBot();
    await recordOutletHealth(ctx.db, 'telegram_channel', {
      ok: false,
      detail:
        'Notizie: il bot non può pubblicare (rendilo amministratore con il permesso "Pubblica messaggi")',
    });
    expect(await outletLines(t)).toEqual([
      'Canale WhatsApp: nessuno impostato (/canale crea o /canale collega).',
      'Canale Telegram: ⚠️ non funziona (Notizie: il bot non può pubblicare (rendilo amministratore con il permesso "Pubblica messaggi")).',
      'Sito: mai controllato (nessun processo attivo lo gestisce).',
    ]);

    await ctx.db.insert(whatsappChannel).values({
      jid: '120363400000000000@newsletter',
      name: 'Comune Informa',
      role: 'OWNER',
      followers: 1234,
    });
    await recordOutletHealth(ctx.db, 'whatsapp_channel', { ok: true, detail: 'Comune Informa: pronto' });
    await recordOutletHealth(ctx.db, 'archive', {
      ok: true,
      detail: 'pubblica su https://notizie.example.it',
    });
    await recordPostOutcome(ctx.db, 'telegram_channel', { ok: true });
    expect(await outletLines(t)).toEqual([
      'Canale WhatsApp: funziona (Comune Informa: pronto), 1.234 follower.',
      'Canale Telegram: funziona.',
      'Sito: funziona (pubblica su https://notizie.example.it).',
    ]);
  });

  it('says when the linked number may no longer post in the Channel, and when a check is old', async () => {
    const t = await staffBot();
    await ctx.db.insert(whatsappChannel).values({
      jid: '120363400000000000@newsletter',
      name: 'Comune Informa',
      role: 'SUBSCRIBER',
      followers: 7,
    });
    await recordOutletHealth(ctx.db, 'whatsapp_channel', { ok: true, detail: 'Comune Informa: pronto' });
    await recordOutletHealth(ctx.db, 'archive', {
      ok: true,
      detail: 'pubblica su https://notizie.example.it',
    });
    await ctx.db.execute(
      sql`UPDATE outlet_health SET checked_at = '2026-03-02T09:30:00Z' WHERE outlet = 'archive'`,
    );
    const lines = await outletLines(t);
    expect(lines[0]).toBe(
      'Canale WhatsApp: ⚠️ non funziona (Comune Informa: il numero collegato non può pubblicarci), 7 follower.',
    );
    expect(lines[2]).toBe(
      'Sito: funziona (pubblica su https://notizie.example.it); ultimo controllo 02/03, 10:30 (nessun processo attivo lo gestisce).',
    );
  });

  it('says in words why the last post failed', async () => {
    const t = await staffBot(['whatsapp', 'telegram_channel']);
    await recordOutletHealth(ctx.db, 'telegram_channel', { ok: true, detail: 'Notizie: pronto' });
    await recordPostOutcome(ctx.db, 'telegram_channel', { ok: false, failure: 'not_allowed' });
    expect(await outletLines(t)).toEqual([
      'Canale Telegram: ⚠️ non funziona (ultima pubblicazione non riuscita: nessun permesso di pubblicare).',
    ]);
  });

  it('names only the outlets this installation runs', async () => {
    const t = await staffBot(['whatsapp', 'archive']);
    await recordOutletHealth(ctx.db, 'telegram_channel', { ok: true, detail: 'Notizie: pronto' });
    expect(await outletLines(t)).toEqual(['Sito: mai controllato (nessun processo attivo lo gestisce).']);
  });
});
