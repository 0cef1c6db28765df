import { InlineKeyboard } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { DomainErrorCode } from '../core/errors.js';
import type { StaffNotice } from '../core/notices.js';
import type { StaffRole } from '../core/staff.js';
import { decisionData } from './parse.js';

// Every word the staff bot says, as pure functions of what it is said about.

export const APPROVE_LABEL = 'Approva';
export const REJECT_LABEL = 'Rifiuta';

const refusals: Record<DomainErrorCode, string> = {
  not_staff: 'Non hai un ruolo nello staff.',
  forbidden: 'Il tuo ruolo non lo consente.',
  bulletin_not_found: 'Bollettino non trovato.',
  bulletin_not_pending: 'Questo bollettino è già stato deciso.',
  self_approval: 'Non puoi approvare un bollettino che hai scritto tu.',
  empty_text: 'Il testo del bollettino è vuoto.',
  text_too_long: 'Il testo del bollettino è troppo lungo.',
  invalid_role: 'Ruolo non valido: usa redattore, approvatore, amministratore o nessuno.',
  configured_admin: 'Questo amministratore è fissato nella configurazione: non si cambia da qui.',
  bulletin_not_sending: 'Questo bollettino non è in invio: nulla da mettere in pausa, riprendere o fermare.',
  bulletin_not_sent: 'Questo bollettino non è stato inviato, oppure è già stato ritirato.',
};

export function refusal(code: DomainErrorCode): string {
  return refusals[code];
}

export function textTooLong(max: number, length: number): string {
  return `Il testo del bollettino è troppo lungo: ${length} caratteri, al massimo ${max}.`;
}

export const unexpectedError = (): string => 'Si è verificato un errore, riprova.';
export const unknownPerson = (): string => 'sconosciuto';
export const otherChatRefusal = (): string => 'Questo bot risponde solo nel gruppo dello staff.';

export const roleUsage = (): string =>
  'Uso: /ruolo <id utente Telegram> redattore|approvatore|amministratore|nessuno';

export function roleChanged(targetId: number, role: StaffRole | null): string {
  return role === null ? `Ruolo di ${targetId} rimosso.` : `Ruolo di ${targetId} impostato: ${role}.`;
}

export const draftUsage = (): string =>
  'Uso: /bozza <testo>, oppure rispondi con /bozza al messaggio che contiene il testo.';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The preview shows the bulletin exactly as citizens will read it, below a header. */
export function draftPreview(input: { bulletinId: number; authorName: string; text: string }): string {
  return (
    `Bollettino n. ${input.bulletinId}, da approvare. Scritto da ${input.authorName}.\n` +
    `Gli iscritti riceveranno questo testo:\n\n${input.text}`
  );
}

export function approvedPreview(input: {
  bulletinId: number;
  approverName: string;
  queued: number;
  text: string;
}): string {
  const queued =
    input.queued === 0 ? 'nessun invio in coda' : `${plural(input.queued, 'invio', 'invii')} in coda`;
  return `Bollettino n. ${input.bulletinId} approvato da ${input.approverName}: ${queued}.\n\n${input.text}`;
}

export function rejectedPreview(input: { bulletinId: number; deciderName: string; text: string }): string {
  return `Bollettino n. ${input.bulletinId} rifiutato da ${input.deciderName}: non sarà inviato.\n\n${input.text}`;
}

/** Room the headers above take, so a bulletin that fits in the database also fits in one Telegram message. */
export const PREVIEW_HEADER_ROOM = 256;

export function previewKeyboard(bulletinId: number): InlineKeyboard {
  return new InlineKeyboard()
    .text(APPROVE_LABEL, decisionData('approve', bulletinId))
    .text(REJECT_LABEL, decisionData('reject', bulletinId));
}

export const approvedAnswer = (): string => 'Approvato.';
export const rejectedAnswer = (): string => 'Rifiutato.';

export function activeSubscribers(count: number): string {
  return count === 1 ? 'C’è 1 iscritto attivo.' : `Iscritti attivi: ${count}.`;
}

const commands: BotCommand[] = [
  { command: 'bozza', description: 'Scrive un bollettino da approvare' },
  { command: 'iscritti', description: 'Quanti iscritti attivi ci sono' },
  { command: 'ruolo', description: 'Assegna un ruolo (solo amministratori)' },
  { command: 'aiuto', description: 'Elenco dei comandi' },
];

export function commandMenu(): BotCommand[] {
  return commands.map((c) => ({ ...c }));
}

export function help(input: { userId: number; role: StaffRole | null }): string {
  return [
    'Comandi:',
    '/bozza <testo>: scrive un bollettino da approvare (o rispondi con /bozza a un messaggio)',
    '/iscritti: quanti iscritti attivi ci sono',
    '/ruolo <id> redattore|approvatore|amministratore|nessuno: assegna o toglie un ruolo (solo amministratori)',
    '/aiuto: questo elenco',
    '',
    `Il tuo id Telegram è ${input.userId}; il tuo ruolo: ${input.role ?? 'nessuno'}.`,
  ].join('\n');
}

/** One line per notice; undefined for a kind this version does not know. */
export function staffNotice(notice: StaffNotice): string | undefined {
  switch (notice.kind) {
    case 'bulletin_sent':
      return (
        `Bollettino n. ${notice.bulletinId} inviato: ${plural(notice.sent, 'messaggio partito', 'messaggi partiti')}, ` +
        `${plural(notice.failed, 'non riuscito', 'non riusciti')}.`
      );
    case 'bulletin_revoked':
      return `Bollettino n. ${notice.bulletinId} ritirato: ${plural(notice.revoked, 'messaggio cancellato', 'messaggi cancellati')} per tutti.`;
    default:
      return undefined;
  }
}
