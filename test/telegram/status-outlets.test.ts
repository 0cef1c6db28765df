import { sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { recordOutletHealth } from '../../src/core/outlet-health.js';
import { watchedBulletins } from '../../src/core/status.js';
import { renderStatus } from '../../src/telegram/status-message.js';
import { describeWithDatabase } from '../helpers/db.js';
import { seedSubscribers } from '../helpers/seed.js';

const admins = [1, 2];
const pacing = { ratePerMinute: 2, maxPerHour: 80, maxPerDay: 1000, warmupDays: 0 };

describeWithDatabase('the status card’s outlet lines', (ctx) => {
  /** The status card's lines about the broadcast outlets of an approved bulletin. */
  async function outletLines(): Promise<string[]> {
    const [row] = await watchedBulletins(ctx.db);
    const { text } = await renderStatus(ctx.db, pacing, row!, new Date());
    return text.split('\n').filter((line) => /^(Canale Telegram|Sito):/.test(line));
  }

  it('says a post waits because no running process serves its outlet, until one checks in', async () => {
    await seedSubscribers(ctx.db, 2);
    const draft = await createDraft(ctx.db, {
      authorId: 1,
      adminIds: admins,
      text: 'Strada chiusa.',
      outlets: ['whatsapp', 'telegram_channel', 'archive'],
    });
    await approve(ctx.db, { bulletinId: draft.id, version: 1, userId: 2, name: 'Aldo', adminIds: admins });

    // Nothing has ever run the Telegram channel; the site's process stopped ten minutes ago, in
    // the middle of its post.
    await ctx.db.execute(sql`UPDATE publications SET state = 'posting' WHERE outlet = 'archive'`);
    await recordOutletHealth(ctx.db, 'archive', {
      ok: true,
      detail: 'pubblica su https://notizie.example.it',
    });
    await ctx.db.execute(sql`UPDATE outlet_health SET checked_at = now() - interval '10 minutes'`);
    expect(await outletLines()).toEqual([
      'Canale Telegram: in attesa: nessun processo attivo lo gestisce.',
      'Sito: in attesa: nessun processo attivo lo gestisce.',
    ]);

    await recordOutletHealth(ctx.db, 'telegram_channel', { ok: true, detail: 'Notizie: pronto' });
    await recordOutletHealth(ctx.db, 'archive', {
      ok: true,
      detail: 'pubblica su https://notizie.example.it',
    });
    expect(await outletLines()).toEqual(['Canale Telegram: in attesa.', 'Sito: in pubblicazione.']);
  });
});
