import { and, asc, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db, Queryable } from '../db/client.js';
import { bridgeState, channelRequests, whatsappChannel } from '../db/schema.js';
import { recordAudit } from './audit.js';
import { DomainError } from './errors.js';
import type { OutletName } from './outlets.js';
import { requireRole } from './staff.js';

// The Comune's WhatsApp Channel (canale WhatsApp). Only the bridge holds the socket, so staff's
// requests go through the database: the bot writes a `channel_requests` row, the bridge answers it
// (updating `whatsapp_channel`), the bot edits its reply. The Channel's followers are anonymous.

/** The Channel as the bridge last read it. */
export type WhatsappChannel = {
  jid: string;
  name: string;
  inviteCode: string | null;
  /** OWNER, ADMIN (both may post), SUBSCRIBER or GUEST. */
  role: string;
  followers: number | null;
  updatedAt: Date;
};

export type ChannelRequestKind = 'create' | 'adopt' | 'refresh';
/** Why the bridge could not do what staff asked. */
export type ChannelRequestError = 'not_linked' | 'invalid_link' | 'not_admin' | 'failed';

export type ChannelRequest = { id: number; kind: ChannelRequestKind; argument: string | null };

/** Roles in a Channel that may post to it. */
export const POSTING_ROLES: readonly string[] = ['OWNER', 'ADMIN'];

/** The invite link citizens follow the Channel by. */
export function channelInviteLink(inviteCode: string): string {
  return `https://whatsapp.com/channel/${inviteCode}`;
}

/** The Channel set for this Comune, if any. */
export async function whatsappChannelInfo(db: Queryable): Promise<WhatsappChannel | undefined> {
  const [row] = await db.select().from(whatsappChannel).where(eq(whatsappChannel.id, 1));
  if (!row) return undefined;
  const { id: _id, ...channel } = row;
  return channel;
}

/** The Channel's invite link once one is set and known (citizens read it). */
export async function channelInvite(db: Queryable): Promise<string | undefined> {
  const channel = await whatsappChannelInfo(db);
  return channel?.inviteCode ? channelInviteLink(channel.inviteCode) : undefined;
}

/**
 * "/canale crea|collega" and "/canale" (amministratore, checked inside the transaction): asks the
 * bridge. Creating or adopting needs WhatsApp linked and no Channel set already; the register
 * records the request.
 */
export async function requestChannel(
  db: Db,
  input: {
    actorId: number;
    adminIds: readonly number[];
    kind: ChannelRequestKind;
    argument?: string;
  },
): Promise<number> {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const channel = await whatsappChannelInfo(tx);
    if (input.kind === 'refresh' && !channel) throw new DomainError('channel_not_set');
    if (input.kind !== 'refresh' && channel) throw new DomainError('channel_already_set');
    const [link] = await tx.select({ link: bridgeState.link }).from(bridgeState).where(eq(bridgeState.id, 1));
    if (input.kind !== 'refresh' && link?.link !== 'open') throw new DomainError('wa_not_linked');
    const [row] = await tx
      .insert(channelRequests)
      .values({ kind: input.kind, argument: input.argument ?? null, actorId: input.actorId })
      .returning({ id: channelRequests.id });
    if (input.kind !== 'refresh') {
      await recordAudit(tx, {
        actorId: input.actorId,
        action: 'channel_request',
        detail: { kind: input.kind },
      });
    }
    return row!.id;
  });
}

/** The staff message that answers request `id`, so the bot can edit it once the bridge answers. */
export async function setChannelReply(
  db: Queryable,
  input: { id: number; chatId: number; messageId: number },
): Promise<void> {
  await db
    .update(channelRequests)
    .set({ staffChatId: input.chatId, staffMessageId: input.messageId })
    .where(eq(channelRequests.id, input.id));
}

/** The oldest request the bridge has not answered. */
export async function nextChannelRequest(db: Queryable): Promise<ChannelRequest | undefined> {
  const [row] = await db
    .select({ id: channelRequests.id, kind: channelRequests.kind, argument: channelRequests.argument })
    .from(channelRequests)
    .where(eq(channelRequests.state, 'pending'))
    .orderBy(asc(channelRequests.id))
    .limit(1);
  return row;
}

/**
 * The bridge's answer: the Channel as WhatsApp describes it (kept as the Comune's Channel; a
 * refresh of a Channel unset meanwhile is dropped), or why it could not. Answered once.
 */
export async function answerChannelRequest(
  db: Db,
  id: number,
  answer:
    | { ok: true; channel: Omit<WhatsappChannel, 'updatedAt'> }
    | { ok: false; error: ChannelRequestError },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [request] = await tx
      .update(channelRequests)
      .set({
        state: answer.ok ? 'done' : 'failed',
        error: answer.ok ? null : answer.error,
        answeredAt: sql`now()`,
      })
      .where(and(eq(channelRequests.id, id), eq(channelRequests.state, 'pending')))
      .returning({ kind: channelRequests.kind, actorId: channelRequests.actorId });
    if (!request || !answer.ok) return;
    if (request.kind === 'refresh') {
      await tx
        .update(whatsappChannel)
        .set({ ...answer.channel, updatedAt: sql`now()` })
        .where(eq(whatsappChannel.jid, answer.channel.jid));
      return;
    }
    await tx
      .insert(whatsappChannel)
      .values({ id: 1, ...answer.channel })
      .onConflictDoUpdate({ target: whatsappChannel.id, set: { ...answer.channel, updatedAt: sql`now()` } });
    await recordAudit(tx, {
      actorId: request.actorId,
      action: 'channel_set',
      detail: { kind: request.kind, jid: answer.channel.jid, role: answer.channel.role },
    });
  });
}

/** The Channel's followers and the linked number's role, as WhatsApp says now. */
export async function updateChannelMetadata(
  db: Queryable,
  input: { jid: string; followers: number | null; role: string },
): Promise<void> {
  await db
    .update(whatsappChannel)
    .set({ followers: input.followers, role: input.role, updatedAt: sql`now()` })
    .where(eq(whatsappChannel.jid, input.jid));
}

export type ChannelAnswer = {
  id: number;
  kind: ChannelRequestKind;
  state: 'done' | 'failed';
  error: ChannelRequestError | null;
  chatId: number;
  messageId: number;
};

/** Answered requests whose staff message has not been edited yet. */
export async function unrepliedChannelAnswers(db: Queryable): Promise<ChannelAnswer[]> {
  const rows = await db
    .select({
      id: channelRequests.id,
      kind: channelRequests.kind,
      state: channelRequests.state,
      error: channelRequests.error,
      chatId: channelRequests.staffChatId,
      messageId: channelRequests.staffMessageId,
    })
    .from(channelRequests)
    .where(
      and(
        isNotNull(channelRequests.answeredAt),
        isNull(channelRequests.repliedAt),
        isNotNull(channelRequests.staffMessageId),
      ),
    )
    .orderBy(asc(channelRequests.id));
  return rows.map((r) => ({
    ...r,
    state: r.state === 'done' ? 'done' : 'failed',
    error: r.error as ChannelRequestError | null,
    chatId: r.chatId!,
    messageId: r.messageId!,
  }));
}

export async function markChannelReplied(db: Queryable, id: number): Promise<void> {
  await db.update(channelRequests).set({ repliedAt: sql`now()` }).where(eq(channelRequests.id, id));
}

/**
 * "/canale scollega" (amministratore, checked inside the transaction): bulletins stop going to the
 * Channel; the Channel itself stays on WhatsApp. Returns its name.
 */
export async function unlinkChannel(db: Db, input: { actorId: number; adminIds: readonly number[] }) {
  return db.transaction(async (tx) => {
    await requireRole(tx, input.actorId, input.adminIds, 'amministratore');
    const [gone] = await tx
      .delete(whatsappChannel)
      .where(eq(whatsappChannel.id, 1))
      .returning({ name: whatsappChannel.name, jid: whatsappChannel.jid });
    if (!gone) throw new DomainError('channel_not_set');
    await recordAudit(tx, { actorId: input.actorId, action: 'channel_unset', detail: { jid: gone.jid } });
    return gone.name;
  });
}

/**
 * The outlets staff can choose now: the configured ones, with the WhatsApp Channel only while one
 * is set and the linked number may post in it (otherwise a bulletin would wait on a post that
 * cannot be made).
 */
export async function availableOutlets(
  db: Queryable,
  configured: readonly OutletName[],
): Promise<OutletName[]> {
  if (!configured.includes('whatsapp_channel')) return [...configured];
  const channel = await whatsappChannelInfo(db);
  const usable = channel !== undefined && POSTING_ROLES.includes(channel.role);
  return configured.filter((outlet) => outlet !== 'whatsapp_channel' || usable);
}
