import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDraft } from '../src/core/bulletins.js';
import { approve } from '../src/core/decisions.js';
import { deliveryMessageId, messageIdSecret } from '../src/core/message-id.js';
import { unpostedNotices } from '../src/core/notices.js';
import { claimDeliveries, completeFinishedBulletins, markSent } from '../src/core/outbox.js';
import { setRole } from '../src/core/staff.js';
import { countActiveSubscribers, optIn, optOut } from '../src/core/subscriptions.js';
import { deliveries } from '../src/db/schema.js';
import { describeWithDatabase } from './helpers/db.js';

const admins = [1];

describeWithDatabase('core path', (ctx) => {
  it('queues one delivery per active subscriber with the derived message id', async () => {
    await optIn(ctx.db, {
      address: { phoneJid: '391111@s.whatsapp.net' },
      messageId: 'A',
      privacyVersion: '1',
    });
    await optIn(ctx.db, { address: { lid: '2222@lid' }, messageId: 'B', privacyVersion: '1' });
    await optIn(ctx.db, {
      address: { phoneJid: '393333@s.whatsapp.net', lid: '3333@lid' },
      messageId: 'C',
      privacyVersion: '1',
    });
    await optOut(ctx.db, { address: { lid: '3333@lid' } });
    expect(await countActiveSubscribers(ctx.db)).toBe(2);

    await setRole(ctx.db, { actorId: 1, targetId: 10, role: 'redattore', adminIds: admins });
    const draft = await createDraft(ctx.db, { authorId: 10, text: 'Avviso', adminIds: admins });
    const { queued } = await approve(ctx.db, {
      bulletinId: draft.id,
      version: 1,
      userId: 1,
      name: 'Approvatore',
      adminIds: admins,
    });
    expect(queued).toBe(2);

    const rows = await ctx.db.select().from(deliveries).where(eq(deliveries.bulletinId, draft.id));
    // The fan-out stores no message id: each is derived from (bulletin, subscriber) when sent.
    for (const row of rows) expect(row.messageId).toBeNull();

    const claim = await claimDeliveries(ctx.db, { limit: 10, leaseSeconds: 30 });
    const secret = await messageIdSecret(ctx.db);
    for (const claimed of claim.deliveries)
      expect(claimed.messageId).toBe(deliveryMessageId(secret, draft.id, claimed.subscriberId));
    expect(claim.deliveries.map((c) => c.phoneJid ?? c.lid).sort()).toEqual([
      '2222@lid',
      '391111@s.whatsapp.net',
    ]);
    expect(
      await markSent(ctx.db, { leaseToken: claim.leaseToken, ids: claim.deliveries.map((d) => d.id) }),
    ).toBe(2);
    const reports = await completeFinishedBulletins(ctx.db);
    expect(reports).toEqual([{ bulletinId: draft.id, sent: 2, failed: 0 }]);
    const notices = await unpostedNotices(ctx.db);
    expect(notices.map((n) => n.notice)).toEqual([
      { kind: 'bulletin_sent', bulletinId: draft.id, sent: 2, failed: 0 },
    ]);
  });
});

describe('deliveryMessageId', () => {
  it('has the shape of a Baileys id', () => {
    expect(deliveryMessageId(Buffer.alloc(32, 7), 1, 2)).toMatch(/^3EB0[0-9A-F]{36}$/);
  });

  it('depends on the secret: the same bulletin and subscriber under another secret get another id', () => {
    expect(deliveryMessageId(Buffer.alloc(32, 7), 1, 2)).not.toBe(
      deliveryMessageId(Buffer.alloc(32, 8), 1, 2),
    );
  });
});
