import { eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { readContactsFile } from '../../src/core/contacts-file.js';
import { DomainError } from '../../src/core/errors.js';
import { confirmImport, expirePendingImports, prepareImport } from '../../src/core/import.js';
import { imports, subscriptionEvents, subscriptions } from '../../src/db/schema.js';
import { describeWithDatabase } from '../helpers/db.js';

const admin = { actorId: 1, adminIds: [1, 2] };
const file = readContactsFile(Buffer.from('telefono\n3331110001\n3331110002\n3331110003\n'));

describeWithDatabase('importing in core', (ctx) => {
  async function pending(fileHash = 'h1') {
    const preview = await prepareImport(ctx.db, { ...admin, fileHash, file });
    if (preview.outcome !== 'ready') throw new Error(preview.outcome);
    return preview.importId;
  }

  it('two presses of "Importa" at once import once; the other is refused', async () => {
    const importId = await pending();
    const results = await Promise.allSettled([
      confirmImport(ctx.db, { ...admin, importId }),
      confirmImport(ctx.db, { actorId: 2, adminIds: admin.adminIds, importId }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DomainError);
    expect((refused.reason as DomainError).code).toBe('import_closed');
    expect(await ctx.db.select().from(subscriptions)).toHaveLength(3);
    expect(await ctx.db.select().from(subscriptionEvents)).toHaveLength(3);
  });

  it('asking again for a file still waiting refreshes the same pending import', async () => {
    const first = await pending();
    const second = await pending();
    expect(second).toBe(first);
    expect(await ctx.db.select().from(imports)).toHaveLength(1);
  });

  it('expiring drops only the numbers of imports past their time', async () => {
    const old = await pending('old');
    const fresh = await pending('fresh');
    await ctx.db
      .update(imports)
      .set({ expiresAt: new Date(Date.now() - 1) })
      .where(eq(imports.id, old));
    expect(await expirePendingImports(ctx.db)).toBe(1);
    const rows = await ctx.db
      .select({ id: imports.id, state: imports.state, numbers: imports.numbers })
      .from(imports);
    expect(rows.sort((a, b) => a.id - b.id)).toEqual([
      { id: old, state: 'expired', numbers: null },
      { id: fresh, state: 'pending', numbers: file.numbers },
    ]);
  });
});
