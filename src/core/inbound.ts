import { eq } from 'drizzle-orm';
import type { Queryable } from '../db/client.js';
import { inboundMessages } from '../db/schema.js';

/** True when this WhatsApp message id was already answered (live, replayed, or before a restart). */
export async function wasInboundHandled(db: Queryable, messageId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: inboundMessages.messageId })
    .from(inboundMessages)
    .where(eq(inboundMessages.messageId, messageId));
  return row !== undefined;
}

/** Records that a message id has been answered, so it is answered once. */
export async function markInboundHandled(db: Queryable, messageId: string): Promise<void> {
  await db.insert(inboundMessages).values({ messageId }).onConflictDoNothing();
}
