import { isLidUser, isPnUser, jidNormalizedUser } from '@whiskeysockets/baileys';
import type { BridgeSocket } from './socket.js';

/**
 * Who a stanza came from, as our subscribers' addresses are kept: the jid without its device, and
 * its other form (LID for a phone jid, phone jid for a LID) when Baileys knows the pair. A receipt
 * or a retry request for a message we sent to the phone jid often comes from the LID.
 */
export async function peerAddresses(
  socket: BridgeSocket | undefined,
  jid: string | null | undefined,
): Promise<string[]> {
  if (!jid || !(isPnUser(jid) || isLidUser(jid))) return [];
  const own = jidNormalizedUser(jid);
  const mapping = socket?.signalRepository?.lidMapping;
  const other = isLidUser(own)
    ? await mapping?.getPNForLID(own).catch(() => null)
    : await mapping?.getLIDForPN?.(own).catch(() => null);
  return other ? [own, jidNormalizedUser(other)] : [own];
}
