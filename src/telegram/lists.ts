import { Composer } from 'grammy';
import { archiveList, createList, describeList, listsWithMembers, renameList } from '../core/lists.js';
import { requireRole } from '../core/staff.js';
import { answer, type BotContext, type FeatureDeps } from './context.js';
import { listChanged, listsOverview, listsUsage } from './texts.js';

export type ListsCommand =
  | { action: 'show' }
  | { action: 'create'; name: string; description: string }
  | { action: 'rename'; slug: string; name: string }
  | { action: 'describe'; slug: string; description: string }
  | { action: 'archive'; slug: string };

/** Reads `/liste [crea|rinomina|descrivi|archivia] ...`; undefined when it does not fit. */
export function parseListsCommand(text: string): ListsCommand | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return { action: 'show' };
  const [verb = '', ...rest] = trimmed.split(/\s+/);
  const tail = trimmed.slice(verb.length).trim();
  switch (verb.toLowerCase()) {
    case 'crea': {
      const [name = '', description = ''] = tail.split('|').map((part) => part.trim());
      return name ? { action: 'create', name, description } : undefined;
    }
    case 'rinomina':
    case 'descrivi': {
      const [slug, ...words] = rest;
      const value = words.join(' ');
      if (!slug || value === '') return undefined;
      return verb.toLowerCase() === 'rinomina'
        ? { action: 'rename', slug: slug.toLowerCase(), name: value }
        : { action: 'describe', slug: slug.toLowerCase(), description: value };
    }
    case 'archivia':
      return rest.length === 1 && rest[0] ? { action: 'archive', slug: rest[0].toLowerCase() } : undefined;
    default:
      return undefined;
  }
}

/** `/liste`: anyone on the staff sees the lists; an amministratore creates, renames, describes, archives. */
export function listsFeature({ db, adminIds }: FeatureDeps): Composer<BotContext> {
  const feature = new Composer<BotContext>();
  feature.command('liste', async (ctx) => {
    const actorId = ctx.from!.id;
    const command = parseListsCommand(ctx.match);
    if (!command) {
      await requireRole(db, actorId, adminIds, 'redattore');
      await answer(ctx, listsUsage());
      return;
    }
    const actor = { actorId, adminIds };
    switch (command.action) {
      case 'show':
        await requireRole(db, actorId, adminIds, 'redattore');
        await answer(ctx, listsOverview(await listsWithMembers(db)));
        return;
      case 'create': {
        const list = await createList(db, { ...actor, name: command.name, description: command.description });
        await answer(ctx, listChanged('create', list.slug));
        return;
      }
      case 'rename':
        await answer(ctx, listChanged('rename', (await renameList(db, { ...actor, ...command })).slug));
        return;
      case 'describe':
        await answer(ctx, listChanged('describe', (await describeList(db, { ...actor, ...command })).slug));
        return;
      case 'archive':
        await answer(
          ctx,
          listChanged('archive', (await archiveList(db, { ...actor, slug: command.slug })).slug),
        );
        return;
    }
  });
  return feature;
}
