import { expect, it } from 'vitest';
import { createDraft } from '../../src/core/bulletins.js';
import { bodyVersionHash } from '../../src/core/version-hash.js';
import { addVersion, setCategory } from '../../src/core/versions.js';
import { bulletins, bulletinVersions } from '../../src/db/schema.js';
import { describeWithDatabase } from '../helpers/db.js';

const editor = { actorId: 1, adminIds: [1] };

describeWithDatabase('versions', (ctx) => {
  it('binds each version to the hash of what citizens read, media included', async () => {
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: [1] });

    await setCategory(ctx.db, { ...editor, bulletinId: draft.id, version: 1, category: 'eventi' });
    const { bulletin } = await addVersion(ctx.db, {
      ...editor,
      bulletinId: draft.id,
      media: {
        kind: 'image',
        mimeType: 'image/jpeg',
        fileName: null,
        data: Buffer.from('abc'),
        telegramFileId: 'F',
      },
    });

    expect(bulletin).toMatchObject({ version: 3, text: 'Avviso', category: 'eventi' });
    const versions = await ctx.db.select().from(bulletinVersions).orderBy(bulletinVersions.version);
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    const body = { text: 'Avviso', entities: [] };
    expect(versions.map((v) => v.hash)).toEqual([
      bodyVersionHash({ body, category: null, mediaSha256: null, lists: ['notizie'] }),
      bodyVersionHash({ body, category: 'eventi', mediaSha256: null, lists: ['notizie'] }),
      bodyVersionHash({ body, category: 'eventi', mediaSha256: abc, lists: ['notizie'] }),
    ]);
    expect(versions.map((v) => v.hashScheme)).toEqual(['body', 'body', 'body']);
    expect(versions.map((v) => v.body)).toEqual([body, body, body]);
  });

  it('never loses or repeats a version number when two changes arrive at once', async () => {
    const draft = await createDraft(ctx.db, { authorId: 1, text: 'Avviso', adminIds: [1] });

    const results = await Promise.allSettled(
      ['Primo', 'Secondo', 'Terzo'].map((text) =>
        addVersion(ctx.db, { ...editor, bulletinId: draft.id, text }),
      ),
    );

    const made = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter((r) => r.status === 'rejected');
    for (const r of refused)
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'draft_outdated' });
    const versions = await ctx.db.select().from(bulletinVersions).orderBy(bulletinVersions.version);
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: made + 1 }, (_, i) => i + 1));
    const [row] = await ctx.db.select().from(bulletins);
    expect(row?.version).toBe(made + 1);
    expect(row?.text).toBe(versions.at(-1)?.text);
  });
});
