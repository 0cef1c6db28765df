import { pino } from 'pino';
import { afterEach, expect, it, vi } from 'vitest';
import { startChannelRequests } from '../../src/whatsapp/channel-requests.js';
import { describeWithDatabase, loggedDb } from '../helpers/db.js';

describeWithDatabase('the Channel requests worker while idle', (ctx) => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks the database at most twice a minute for requests when nobody makes any', async () => {
    let looks = 0;
    const db = loggedDb(ctx.database, (query) => {
      if (/from "channel_requests"/i.test(query)) looks += 1;
    });
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const worker = await startChannelRequests({
      database: { db, listen: ctx.database.listen },
      socket: () => undefined,
      isOpen: () => false,
      logger: pino({ level: 'silent' }),
    });
    try {
      await vi.waitFor(() => expect(looks).toBe(1));
      // A minute of nothing: the notification wakes it for a request, not a 5-second poll.
      await vi.advanceTimersByTimeAsync(60_000);
      expect(looks).toBeLessThanOrEqual(2);
    } finally {
      await worker.stop();
    }
  });
});
