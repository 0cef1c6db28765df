import { REVOKE_WINDOW_HOURS } from '../../core/control.js';
import type { PublicationView } from '../../core/publications.js';
import { publicationLine } from './outlets.js';

import { plural } from './words.js';

// Staff bot texts: status, register, statistics.

/** Refusals for the live status buttons; texts.ts gathers them with the others. */
export function statusRefusals(): Record<'revoke_too_late', string> {
  return {
    revoke_too_late: `Troppo tardi per ritirarlo: WhatsApp permette di cancellare un messaggio per tutti solo entro ${REVOKE_WINDOW_HOURS} ore.`,
  };
}

/** "28/11 alle 14:05", or "alle 14:05" when it is today, in Europe/Rome. */
function romeWhen(date: Date, now: Date): string {
  const day = (d: Date) =>
    d.toLocaleDateString('it-IT', { timeZone: 'Europe/Rome', day: '2-digit', month: '2-digit' });
  const time = date.toLocaleTimeString('it-IT', {
    timeZone: 'Europe/Rome',
    hour: '2-digit',
    minute: '2-digit',
  });
  return day(date) === day(now) ? `alle ${time}` : `il ${day(date)} alle ${time}`;
}

export type StatusView = {
  bulletinId: number;
  /** 'unqueued': taken out of the queue before it started (unscheduled or withdrawn). */
  state: 'approved' | 'sending' | 'sent' | 'stopped' | 'unqueued';
  sendAt: Date | null;
  paused: boolean;
  progress: {
    total: number;
    sent: number;
    failed: number;
    notOnWhatsapp: number;
    cancelled: number;
    delivered: number;
    read: number;
  };
  finishAt: Date | undefined;
  /** Why nothing moves although it is sending: WhatsApp not linked, or the whole queue paused. */
  waiting?: 'unlinked' | 'queue_paused' | undefined;
  revoke: { requested: boolean; done: boolean; revoked: number };
  now: Date;
  /** Its broadcast outlets' posts, one line each after the 1:1 progress. */
  publications?: PublicationView[];
};

const WAITING = {
  unlinked: 'In attesa: WhatsApp non è collegato (/stato).',
  queue_paused: 'In attesa: tutti gli invii sono in pausa (/stato).',
} as const;

function outcomeCounts(p: StatusView['progress']): string {
  const parts = [plural(p.sent, 'inviato', 'inviati')];
  if (p.failed > 0) parts.push(plural(p.failed, 'non riuscito', 'non riusciti'));
  if (p.notOnWhatsapp > 0) parts.push(`${p.notOnWhatsapp} non su WhatsApp`);
  if (p.cancelled > 0) parts.push(plural(p.cancelled, 'annullato', 'annullati'));
  return parts.join(', ');
}

/** The live status message of one bulletin, from queued to the last read receipt. */
export function bulletinStatus(view: StatusView): string {
  const p = view.progress;
  const lines = [`Bollettino n. ${view.bulletinId}: stato dell’invio.`];
  const done = p.sent + p.failed + p.notOnWhatsapp;
  switch (view.state) {
    case 'approved':
      lines.push(
        view.sendAt && view.sendAt > view.now
          ? `In coda: partirà ${romeWhen(view.sendAt, view.now)}.`
          : 'In coda: parte tra pochi secondi.',
      );
      break;
    case 'sending':
      if (view.paused)
        lines.push(`In pausa: ${done} di ${p.total}. Nessun altro messaggio parte finché non riprende.`);
      else if (view.waiting) lines.push(`In invio: ${done} di ${p.total}. ${WAITING[view.waiting]}`);
      else {
        const end = view.finishAt ? ` Fine prevista ${romeWhen(view.finishAt, view.now)}.` : '';
        lines.push(`In invio: ${done} di ${p.total}.${end}`);
      }
      break;
    case 'sent':
      lines.push(`Concluso: ${outcomeCounts(p)}.`);
      break;
    case 'stopped':
      lines.push(`Fermato: ${outcomeCounts(p)}.`);
      break;
    case 'unqueued':
      lines.push('Non più in coda: l’invio è stato annullato prima di partire.');
      break;
  }
  if (view.state === 'sent' || view.state === 'stopped' || p.delivered > 0)
    lines.push(`Consegnati: ${p.delivered}. Letti: ${p.read}.`);
  for (const publication of view.publications ?? []) lines.push(publicationLine(publication));
  if (view.revoke.done)
    lines.push(
      `Ritirato: ${plural(view.revoke.revoked, 'messaggio cancellato', 'messaggi cancellati')} per tutti.`,
    );
  else if (view.revoke.requested) lines.push('Ritiro in corso: i messaggi vengono cancellati per tutti.');
  return lines.join('\n');
}

export const PAUSE_LABEL = 'Pausa';
export const RESUME_LABEL = 'Riprendi';
export const STOP_LABEL = 'Ferma';
export const REVOKE_LABEL = 'Ritira';

/** Stopping and withdrawing cannot be undone: a second press within this time confirms. */
export const CONFIRM_SECONDS = 15;

export const confirmAnswers = {
  stop: `Fermare l’invio? Chi non l’ha ancora ricevuto non lo riceverà più. Per confermare premi di nuovo «${STOP_LABEL}» entro ${CONFIRM_SECONDS} secondi.`,
  revoke: `Ritirare il bollettino? Sarà cancellato per tutti dalle chat WhatsApp. Per confermare premi di nuovo «${REVOKE_LABEL}» entro ${CONFIRM_SECONDS} secondi.`,
} as const;

export const statusAnswers = {
  pause: 'In pausa.',
  resume: 'Ripreso.',
  stop: 'Fermato: il resto non parte.',
  revoke: 'Ritiro chiesto: i messaggi vengono cancellati per tutti.',
} as const;

const STATES: Record<string, string> = {
  pending: 'da approvare',
  approved: 'approvato, in coda',
  sending: 'in invio',
  sent: 'inviato',
  rejected: 'rifiutato',
  withdrawn: 'ritirato dall’autore',
  stopped: 'fermato',
};

/** A few first words of a bulletin, on one line. */
function firstWords(text: string, max = 48): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${space > max / 2 ? cut.slice(0, space) : cut}…`;
}

/** `/storico`: the latest bulletins, newest first. */
export function bulletinHistory(
  rows: {
    id: number;
    state: string;
    text: string;
    createdAt: Date;
    sendAt: Date | null;
    finishedAt: Date | null;
  }[],
  now: Date,
): string {
  if (rows.length === 0) return 'Nessun bollettino ancora.';
  const lines = rows.map((b) => {
    const state =
      b.state === 'approved' && b.sendAt && b.sendAt > now
        ? `programmato ${romeWhen(b.sendAt, now)}`
        : (STATES[b.state] ?? b.state);
    const finished = b.finishedAt ? `, concluso ${romeWhen(b.finishedAt, now)}` : '';
    return `n. ${b.id} · ${state} · scritto ${romeWhen(b.createdAt, now)}${finished}\n   «${firstWords(b.text)}»`;
  });
  return [`Ultimi ${rows.length === 1 ? 'bollettino' : `${rows.length} bollettini`}:`, ...lines].join('\n');
}

/** The register's CSV header row. */
export const REGISTER_COLUMNS = [
  'quando (Europe/Rome)',
  'quando (UTC)',
  'chi (id Telegram)',
  'azione',
  'bollettino',
  'versione',
  'sha256',
  'dettagli',
] as const;

export const registerFileName = (now: Date): string =>
  `registro-banditore-${now.toISOString().slice(0, 10)}.csv`;
export const registerCaption = (entries: number): string =>
  `Registro delle azioni: ${plural(entries, 'voce', 'voci')}. Orari in ora italiana e in UTC; sha256 è l’impronta di ciò che è stato approvato e inviato.`;

export type ListStats = {
  name: string;
  isDefault: boolean;
  active: number;
  windows: {
    today: { joins: number; leaves: number };
    week: { joins: number; leaves: number };
    month: { joins: number; leaves: number };
  };
};

function window(label: string, w: { joins: number; leaves: number }): string {
  return `${label} +${w.joins} −${w.leaves}`;
}

/** `/iscritti`: people subscribed, and per list who joined and left today, in 7 and in 30 days. */
export function subscriberStats(input: { people: number; lists: ListStats[] }): string {
  const lines = [input.people === 1 ? 'C’è 1 iscritto attivo.' : `Iscritti attivi: ${input.people}.`];
  for (const list of input.lists) {
    lines.push(
      `• ${list.name}${list.isDefault ? ' (predefinita)' : ''}: ${plural(list.active, 'iscritto', 'iscritti')}. ` +
        `${window('Oggi', list.windows.today)}; ${window('7 giorni', list.windows.week)}; ${window('30 giorni', list.windows.month)}.`,
    );
  }
  lines.push('(+ iscrizioni, − cancellazioni)');
  return lines.join('\n');
}

export const chartTitle = (): string => 'Iscritti attivi negli ultimi 90 giorni';
export const chartCaption = (): string =>
  'Iscritti attivi per lista, giorno per giorno, negli ultimi 90 giorni.';
