import { InlineKeyboard } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { DomainErrorCode } from '../core/errors.js';
import type { StaffNotice } from '../core/notices.js';
import type { StaffRole } from '../core/staff.js';
import { buttonData } from './callback-data.js';

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
  ...decisionRefusals(),
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

export function previewKeyboard(bulletinId: number, version = 1): InlineKeyboard {
  return new InlineKeyboard()
    .text(APPROVE_LABEL, buttonData({ action: 'approve', bulletinId, version }))
    .text(REJECT_LABEL, buttonData({ action: 'reject', bulletinId, version }));
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
  ];
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

// ==== DECISIONS AND SCHEDULING (issue 5, points 5 and 6) ====

/** Refusals for approval, rejection, withdrawal and scheduling; hoisted into `refusals` above. */
function decisionRefusals(): Record<
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
export function whenText(t: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}): string {
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
