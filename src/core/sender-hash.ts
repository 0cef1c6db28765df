import { createHmac } from 'node:crypto';

/**
 * Keys for the reply budget: who a reply went to, and which reply it was, without the number or
 * the text. Keyed with the installation's secret salt, so a leaked table cannot be matched against
 * a list of phone numbers.
 */
export function replyKeys(salt: Buffer, input: { sender: string; text: string }) {
  const mac = (value: string) => createHmac('sha256', salt).update(value).digest('base64url');
  return { senderKey: mac(`sender:${input.sender}`), replyKey: mac(`reply:${input.sender}\n${input.text}`) };
}
