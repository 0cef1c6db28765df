import { InlineKeyboard } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { REVOKE_WINDOW_HOURS } from '../core/control.js';
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
  ...bridgeRefusals(),
  ...statusRefusals(),
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
  return [
    ...commands.map((c) => ({ ...c })),
    ...bridgeCommandHelp().map((c) => ({ command: c.command, description: c.menu })),
    ...statusCommandHelp().map((c) => ({ command: c.command, description: c.menu })),
  ];
}

export function help(input: { userId: number; role: StaffRole | null }): string {
  return [
    'Comandi:',
    '/bozza <testo>: scrive un bollettino da approvare (o rispondi con /bozza a un messaggio)',
    '/iscritti: quanti iscritti attivi ci sono',
    '/ruolo <id> redattore|approvatore|amministratore|nessuno: assegna o toglie un ruolo (solo amministratori)',
    '/aiuto: questo elenco',
    ...statusCommandHelp().map((c) => c.usage),
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

// Bridge: linking, status, lists (issue 4)

/** Refusals for the bridge's and the lists' domain errors; hoisted into `refusals` above. */
function bridgeRefusals(): Record<
  | 'list_not_found'
  | 'list_exists'
  | 'invalid_list_name'
  | 'default_list'
  | 'invalid_phone_number'
  | 'already_linked',
  string
> {
  return {
    list_not_found: 'Lista non trovata (o archiviata). /liste mostra quelle attive.',
    list_exists: 'Esiste già una lista con questo nome.',
    invalid_list_name: 'Nome di lista non valido: usa lettere e numeri.',
    default_list: 'La lista predefinita non si può archiviare.',
    invalid_phone_number:
      'Numero non valido: scrivi il numero del Comune con il prefisso internazionale, es. /collega 390551234567.',
    already_linked: 'WhatsApp è già collegato. Per collegare un altro numero, scollegalo prima dal telefono.',
  };
}

/**
 * The bridge's commands, for the command menu and /aiuto: who may use each and how. A function
 * declaration, so the tables above may spread it in.
 */
export function bridgeCommandHelp(): { command: string; usage: string; menu: string; role: StaffRole }[] {
  return [
    {
      command: 'stato',
      usage: '/stato: WhatsApp collegato o no, coda, ultimo invio, pausa',
      menu: 'Stato del collegamento WhatsApp e della coda',
      role: 'redattore',
    },
    {
      command: 'liste',
      usage: '/liste: le liste di iscrizione (crea, rinomina, descrivi, archivia: amministratori)',
      menu: 'Liste di iscrizione',
      role: 'redattore',
    },
    {
      command: 'riprendi',
      usage: '/riprendi: riprende gli invii messi in pausa',
      menu: 'Riprende gli invii messi in pausa',
      role: 'approvatore',
    },
    {
      command: 'collega',
      usage: '/collega <numero>: collega WhatsApp con un codice invece del QR',
      menu: 'Collega WhatsApp con un codice',
      role: 'amministratore',
    },
  ];
}

export const qrCaption = (): string =>
  'Collega il numero del Comune: sul telefono apri WhatsApp > Impostazioni > Dispositivi collegati > ' +
  'Collega un dispositivo e inquadra questo codice. Il codice cambia ogni tanto: usa sempre l’ultimo. ' +
  'Senza fotocamera: /collega <numero con prefisso, es. 390551234567>.';

export const linkUsage = (): string =>
  'Uso: /collega <numero del Comune con prefisso internazionale>, es. /collega 390551234567. ' +
  'Il codice di abbinamento arriva qui tra pochi secondi.';

export const pairingRequested = (): string =>
  'Richiesta inviata al ponte WhatsApp: il codice di abbinamento arriva qui tra pochi secondi.';

const SIGNALS: Record<string, string> = {
  staff: 'messi in pausa dallo staff',
  error_463: 'WhatsApp ha rifiutato un messaggio con l’errore 463 (numero limitato)',
  reachout_timelock: 'WhatsApp ha limitato temporaneamente i nuovi contatti di questo numero',
  message_capping: 'raggiunto il tetto mensile di WhatsApp per i messaggi a chi non ha mai risposto',
  logged_out: 'WhatsApp ha scollegato il dispositivo: va collegato di nuovo',
};

const LINKS: Record<string, string> = {
  connecting: 'in connessione',
  waiting_for_link: 'non collegato: in attesa del QR o del codice',
  open: 'collegato',
  reconnecting: 'in riconnessione',
  replaced: 'fermo: un’altra sessione usa questo numero',
  logged_out: 'scollegato: va collegato di nuovo',
  banned: 'fermo: WhatsApp ha bloccato il numero',
  outdated: 'fermo: versione di WhatsApp Web non più accettata',
  stopped: 'fermo',
};

function romeTime(date: Date): string {
  return date.toLocaleString('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** The linked number as staff read it: "+39 055…" from the jid's user part. */
function shownNumber(jid: string | null): string {
  const digits = jid?.split('@')[0]?.split(':')[0];
  return digits ? `+${digits}` : 'sconosciuto';
}

export function bridgeStatusText(status: {
  link: string;
  linkedNumber: string | null;
  queued: number;
  lastSentAt: Date | null;
  pause: { reason: string; signal: string; until: Date | null } | undefined;
}): string {
  const lines = [
    `WhatsApp: ${LINKS[status.link] ?? status.link}.`,
    `Numero collegato: ${status.link === 'open' || status.linkedNumber ? shownNumber(status.linkedNumber) : 'nessuno'}.`,
    `In coda: ${plural(status.queued, 'messaggio', 'messaggi')}.`,
    `Ultimo invio: ${status.lastSentAt ? romeTime(status.lastSentAt) : 'nessuno'}.`,
  ];
  if (status.pause) {
    const why = SIGNALS[status.pause.signal] ?? status.pause.reason;
    const until = status.pause.until ? ` fino alle ${romeTime(status.pause.until)}` : '';
    lines.push(`Invii in pausa${until}: ${why}. Per riprendere: /riprendi.`);
  } else lines.push('Invii attivi.');
  return lines.join('\n');
}

export const queueResumed = (): string => 'Invii ripresi.';
export const queueNotPaused = (): string => 'Gli invii non erano in pausa.';

/** One line per bridge notice; undefined for a kind that is not the bridge's. */
export function bridgeNotice(notice: StaffNotice): string | undefined {
  switch (notice.kind) {
    case 'wa_linked':
      return `WhatsApp collegato: numero ${shownNumber(notice.number)}. Gli invii possono partire.`;
    case 'wa_down':
      return `WhatsApp è scollegato da ${plural(notice.minutes, 'minuto', 'minuti')}: il ponte riprova da solo. /stato per i dettagli.`;
    case 'wa_back':
      return `WhatsApp di nuovo collegato dopo ${plural(notice.minutes, 'minuto', 'minuti')}.`;
    case 'wa_replaced':
      return 'WhatsApp: un’altra sessione ha preso il posto del ponte su questo numero (WhatsApp Web aperto altrove?). Il ponte si ferma per non contendere il numero: chiudi l’altra sessione e riavvia il servizio.';
    case 'wa_logged_out':
      return 'WhatsApp ha scollegato il ponte: gli invii sono in pausa. Collega di nuovo il numero con il QR che arriva qui (o /collega <numero>).';
    case 'wa_banned':
      return 'WhatsApp ha rifiutato il numero del Comune (errore 403): probabilmente è stato bloccato. Il ponte non riprova. Verifica sul telefono.';
    case 'wa_outdated':
      return 'WhatsApp non accetta più questa versione del ponte (errore 405): va aggiornato.';
    case 'pairing_code':
      return `Codice di abbinamento: ${notice.code}\nSul telefono del Comune: WhatsApp > Dispositivi collegati > Collega un dispositivo > Collega con il numero di telefono, e inserisci il codice.`;
    case 'pairing_failed':
      return notice.reason === 'linked'
        ? 'Codice non richiesto: WhatsApp è già collegato.'
        : 'Non sono riuscito a ottenere il codice di abbinamento: riprova tra un minuto con /collega.';
    case 'sending_paused': {
      const until = notice.until ? ` fino alle ${romeTime(new Date(notice.until))}` : '';
      return `Invii in pausa${until}: ${SIGNALS[notice.signal]}. Riprendono da soli alla scadenza, oppure con /riprendi.`;
    }
    case 'sending_resumed':
      return 'La limitazione di WhatsApp è finita: gli invii riprendono.';
    default:
      return undefined;
  }
}

export const listsUsage = (): string =>
  [
    'Uso (amministratori):',
    '/liste: elenco delle liste',
    '/liste crea <nome> [| descrizione]',
    '/liste rinomina <lista> <nuovo nome>',
    '/liste descrivi <lista> <descrizione>',
    '/liste archivia <lista>',
  ].join('\n');

export function listsOverview(
  lists: { slug: string; name: string; description: string; isDefault: boolean; members: number }[],
): string {
  const lines = lists.map(
    (l) =>
      `• ${l.slug}${l.isDefault ? ' (predefinita)' : ''}: ${l.name}, ${plural(l.members, 'iscritto', 'iscritti')}` +
      (l.description ? ` — ${l.description}` : ''),
  );
  return ['Liste attive (i cittadini scrivono "Iscrizione <lista>"):', ...lines].join('\n');
}

export function listChanged(change: 'create' | 'rename' | 'describe' | 'archive', slug: string): string {
  const done = { create: 'creata', rename: 'rinominata', describe: 'descritta', archive: 'archiviata' }[
    change
  ];
  return `Lista ${slug} ${done}.`;
}

// ==== STATUS, REGISTER, STATISTICS (issue 5 points 7-9) ====

/** Refusals for the live status buttons; spread into `refusals` above. */
function statusRefusals(): Record<'revoke_too_late', string> {
  return {
    revoke_too_late: `Troppo tardi per ritirarlo: WhatsApp permette di cancellare un messaggio per tutti solo entro ${REVOKE_WINDOW_HOURS} ore.`,
  };
}

/** Commands of the status, register and statistics, for the command menu and /aiuto. */
export function statusCommandHelp(): { command: string; usage: string; menu: string; role: StaffRole }[] {
  return [
    {
      command: 'storico',
      usage: '/storico: gli ultimi bollettini con il loro stato',
      menu: 'Gli ultimi bollettini e il loro stato',
      role: 'redattore',
    },
    {
      command: 'registro',
      usage: '/registro: il registro di tutte le azioni, come file CSV',
      menu: 'Il registro delle azioni (CSV)',
      role: 'approvatore',
    },
  ];
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
