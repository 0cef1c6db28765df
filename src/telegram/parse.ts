import type { Message } from 'grammy/types';
import { STAFF_ROLES, type StaffRole } from '../core/staff.js';

export type Decision = { action: 'approve' | 'reject'; bulletinId: number };

/** Callback data names an action and a bulletin id; whether the presser may act is checked by core. */
export function decisionData(action: Decision['action'], bulletinId: number): string {
  return `${action}:${bulletinId}`;
}

export function parseDecision(data: string): Decision | undefined {
  const match = /^(approve|reject):(\d{1,9})(?::\d{0,9})?$/.exec(data);
  if (!match) return undefined;
  return { action: match[1] as Decision['action'], bulletinId: Number(match[2]) };
}

export type RoleCommand = { targetId: number; role: StaffRole | null };

/**
 * `/ruolo <id> <ruolo>`, or `/ruolo <ruolo>` in reply to the person's message;
 * `nessuno` removes the role.
 */
export function parseRoleCommand(args: string, repliedUserId?: number): RoleCommand | undefined {
  const words = args.trim().toLowerCase().split(/\s+/).filter(Boolean);
  let idWord: string | undefined;
  let roleWord: string | undefined;
  if (words.length === 2) [idWord, roleWord] = words;
  else if (words.length === 1 && repliedUserId !== undefined) roleWord = words[0];
  else return undefined;
  const targetId = idWord === undefined ? repliedUserId : parseUserId(idWord);
  if (targetId === undefined || roleWord === undefined) return undefined;
  if (roleWord === 'nessuno') return { targetId, role: null };
  const role = STAFF_ROLES.find((r) => r === roleWord);
  return role ? { targetId, role } : undefined;
}

function parseUserId(word: string): number | undefined {
  if (!/^\d{1,15}$/.test(word)) return undefined;
  const id = Number(word);
  return id > 0 ? id : undefined;
}

/** The bulletin text: what follows `/bozza`, else the text or caption of the message it replies to. */
export function draftText(args: string, replyTo: Message | undefined): string | undefined {
  if (args.trim() !== '') return args;
  const replied = replyTo?.text ?? replyTo?.caption;
  return replied && replied.trim() !== '' ? replied : undefined;
}
