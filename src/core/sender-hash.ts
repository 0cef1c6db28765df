import { createHash } from 'node:crypto';

/** A stable, non-reversible key for a sender's jid, so cooldowns need not keep the number itself. */
export function senderHash(jid: string): string {
  return createHash('sha256').update(`banditore:sender:${jid}`).digest('base64url');
}
