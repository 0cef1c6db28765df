import { InlineKeyboard } from 'grammy';
import type { RomeTime } from '../../core/schedule.js';
import { buttonData } from '../callback-data.js';

// Staff bot texts: decisions and scheduling.

/** Refusals for approval, rejection, withdrawal and scheduling; texts.ts gathers them with the others. */
export function decisionRefusals(): Record<
  'stale_version' | 'empty_reason' | 'reason_too_long' | 'bulletin_closed' | 'time_in_past' | 'not_scheduled',
  string
> {
  return {
    stale_version:
      'Questa anteprima non è aggiornata: esiste una versione più recente del bollettino. Usa i pulsanti dell’ultima anteprima.',
    empty_reason: 'Scrivi il motivo del rifiuto come testo, in risposta alla domanda del bot.',
    reason_too_long: 'Motivo troppo lungo: al massimo 300 caratteri. Rispondi di nuovo alla domanda del bot.',
    bulletin_closed: 'Questo bollettino è già partito o è chiuso: non si può più cambiare.',
    time_in_past: 'Quest’ora è già passata: scegline una futura.',
    not_scheduled: 'Questo bollettino non è programmato.',
  };
}

const escapeHtml = (text: string): string =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** A mention Telegram turns into a link to the person (HTML parse mode). */
export function mention(userId: number, name: string): string {
  return `<a href="tg://user?id=${userId}">${escapeHtml(name)}</a>`;
}

const WEEKDAY_NAMES = ['domenica', 'lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato'];
const two = (n: number) => String(n).padStart(2, '0');

/** "sabato 29/11/2026 alle 08:00", in Rome time. */
export function whenText(t: RomeTime): string {
  return `${WEEKDAY_NAMES[t.weekday]} ${two(t.day)}/${two(t.month)}/${t.year} alle ${two(t.hour)}:${two(t.minute)}`;
}

export function windowText(window: { startMinute: number; endMinute: number }): string {
  const hm = (m: number) => `${two(Math.floor(m / 60))}:${two(m % 60)}`;
  return `${hm(window.startMinute)}-${hm(window.endMinute)}`;
}

export const approvedWaiting = (when: string): string => `Approvato: partirà ${when}.`;
export const rejectAsked = (): string => 'Scrivi il motivo in risposta al messaggio del bot.';
export const withdrawnAnswer = (): string => 'Ritirato: non sarà inviato.';

/** The question "Rifiuta" asks; the approver answers it with a reply (ForceReply, selective). */
export function rejectPrompt(input: {
  bulletinId: number;
  approverId: number;
  approverName: string;
}): string {
  return (
    `Scrivi il motivo del rifiuto del bollettino n. ${input.bulletinId}, ` +
    `rispondendo a questo messaggio (al massimo 300 caratteri). ${mention(input.approverId, input.approverName)}`
  );
}

/** Tells the author, by a mention, that their bulletin was rejected and why (HTML parse mode). */
export function rejectedNotice(input: {
  bulletinId: number;
  authorId: number;
  authorName: string;
  deciderName: string;
  reason: string;
}): string {
  return (
    `${mention(input.authorId, input.authorName)}, il bollettino n. ${input.bulletinId} è stato rifiutato ` +
    `da ${escapeHtml(input.deciderName)}.\nMotivo: ${escapeHtml(input.reason)}`
  );
}

export const authorFallbackName = (): string => 'autore';

export const QUICK_CHOICE_LABELS: Record<string, string> = {
  h1: 'Tra un’ora',
  h3: 'Tra 3 ore',
  t8: 'Domani alle 8',
  t12: 'Domani alle 12',
  m8: 'Lunedì alle 8',
};
export const BACK_LABEL = 'Indietro';

/**
 * The quick choices "Programma" opens, two a row, then "Indietro": back to the preview's buttons,
 * or, opened from /programmati, back to that list.
 */
export function quickChoicesKeyboard(
  bulletinId: number,
  version: number,
  choices: readonly string[],
  from: 'preview' | 'list' = 'preview',
): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  choices.forEach((choice, i) => {
    keyboard.text(
      QUICK_CHOICE_LABELS[choice] ?? choice,
      buttonData({ action: 'when', bulletinId, version, arg: choice }),
    );
    if (i % 2 === 1) keyboard.row();
  });
  const back = buttonData({ action: from === 'preview' ? 'back' : 'scheduled', bulletinId });
  return keyboard.row().text(BACK_LABEL, back);
}

export function scheduledAnswer(input: {
  when: string;
  moved: boolean;
  window: string;
  pending: boolean;
}): string {
  const after = input.pending ? ', dopo l’approvazione' : '';
  return input.moved
    ? `Fuori dalla fascia d’invio (${input.window}): partirà ${input.when}${after}. Per inviarlo prima, segnalalo come urgente.`
    : `Programmato: partirà ${input.when}${after}.`;
}

export const scheduledCommandAnswer = (bulletinId: number, outcome: string): string =>
  `Bollettino n. ${bulletinId}. ${outcome}`;

export const unscheduledAnswer = (approvalCleared: boolean): string =>
  approvalCleared
    ? 'Programmazione annullata: il bollettino torna da approvare.'
    : 'Programmazione annullata: partirà appena approvato.';

export const urgentAnswer = (urgent: boolean): string =>
  urgent
    ? 'Segnato come urgente: parte anche fuori dalla fascia d’invio, prima degli altri.'
    : 'Non più urgente.';

export const scheduleUsage = (): string =>
  'Uso: /programma <n. bollettino> <gg/mm hh:mm>, ora italiana. Es.: /programma 12 05/12 08:30';

export function scheduledList(
  items: { bulletinId: number; approved: boolean; urgent: boolean; when: string; excerpt: string }[],
): string {
  if (items.length === 0) return 'Nessun bollettino programmato.';
  const lines = items.map(
    (i) =>
      `• n. ${i.bulletinId}, ${i.approved ? 'approvato' : 'da approvare'}${i.urgent ? ', urgente' : ''}: ` +
      `${i.when}. «${i.excerpt}»`,
  );
  return ['Bollettini programmati (sposta o annulla finché non partono):', ...lines].join('\n');
}

export function scheduledListKeyboard(items: { bulletinId: number; version: number }[]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const { bulletinId, version } of items) {
    keyboard
      .text(`Sposta n. ${bulletinId}`, buttonData({ action: 'schedule', bulletinId, version }))
      .text(`Annulla n. ${bulletinId}`, buttonData({ action: 'unschedule', bulletinId }))
      .row();
  }
  return keyboard;
}
