import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { describe, expect, it, vi } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { approve } from '../../src/core/decisions.js';
import { optIn } from '../../src/core/subscriptions.js';
import { openDatabase } from '../../src/db/client.js';
import { describeWithDatabase } from '../helpers/db.js';

describeWithDatabase('LISTEN/NOTIFY', (ctx) => {
  it('wakes the sender once per approval, not once per queued delivery', async () => {
    for (const n of [1, 2, 3]) {
      await optIn(ctx.db, {
        address: { phoneJid: `39333000000${n}@s.whatsapp.net` },
        messageId: `M${n}`,
        privacyVersion: '1',
      });
    }
    let wakes = 0;
    const unlisten = await ctx.database.listen('banditore_deliveries', () => {
      wakes += 1;
    });
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: [1] });
    const { queued } = await approve(ctx.db, {
      bulletinId: draft.id,
      version: 1,
      userId: 2,
      name: 'Approvatore',
      adminIds: [1, 2],
    });
    expect(queued).toBe(3);
    await vi.waitFor(() => expect(wakes).toBe(1));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(wakes).toBe(1);
    await unlisten();
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('migrations on Postgres', () => {
  it('can run from two processes starting at once', async () => {
    const name = `banditore_test_${randomBytes(6).toString('hex')}`;
    const admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    try {
      const both = await Promise.all([
        openDatabase({ url: url.toString() }),
        openDatabase({ url: url.toString() }),
      ]);
      await Promise.all(both.map((database) => database.close()));
    } finally {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});
