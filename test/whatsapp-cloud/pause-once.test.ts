import { expect, it } from 'vitest';
import { auditEntries } from '../../src/core/audit.js';
import { unpostedNotices } from '../../src/core/notices.js';
import { pauseOnSignal, pauseQueue, queuePause } from '../../src/core/send-control.js';
import { describeWithDatabase } from '../helpers/db.js';

describeWithDatabase('pauseOnSignal', (ctx) => {
  it('pauses and tells staff once when many sends report the same signal at the same time', async () => {
    const told = await Promise.all(
      Array.from({ length: 16 }, () =>
        pauseOnSignal(ctx.db, { signal: 'cloud_payment', detail: { code: 131042 } }),
      ),
    );
    expect(told.filter(Boolean)).toHaveLength(1);
    expect((await queuePause(ctx.db))?.signal).toBe('cloud_payment');
    expect((await unpostedNotices(ctx.db)).map((n) => n.notice.kind)).toEqual(['sending_paused']);
    expect((await auditEntries(ctx.db)).filter((e) => e.action === 'queue_pause')).toHaveLength(1);
  });

  it('leaves a pause staff made as it is, and still tells them', async () => {
    await pauseQueue(ctx.db, { reason: 'staff', signal: 'staff' });
    expect(await pauseOnSignal(ctx.db, { signal: 'cloud_token', detail: {} })).toBe(true);
    expect((await queuePause(ctx.db))?.signal).toBe('staff');
    expect((await unpostedNotices(ctx.db)).map((n) => n.notice.kind)).toEqual(['sending_paused']);
  });
});
