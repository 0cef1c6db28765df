import { InlineKeyboard } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { DomainErrorCode } from '../core/errors.js';
import type { StaffNotice } from '../core/notices.js';
import { GULPEASE_HARD_BELOW, GULPEASE_VERY_HARD_BELOW } from '../core/readability.js';
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
  ...draftRefusals(),
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

// ==== DRAFTS, PREVIEW, VERSIONS (issue 5 points 2-4) ====

/** Refusals for drafting's domain errors; hoisted into `refusals` above. */
function draftRefusals(): Record<'bulletin_not_editable' | 'draft_outdated' | 'last_target_list', string> {
  return {
    bulletin_not_editable:
      'Questo bollettino non si può più modificare: è già partito, oppure è stato rifiutato o ritirato.',
    draft_outdated: 'Questa anteprima non è più quella attuale: usa l’ultima anteprima del bollettino.',
    last_target_list: 'Il bollettino deve andare ad almeno una lista.',
  };
}

export const draftUsageMedia = (): string =>
  'Uso: /bozza <testo>, oppure rispondi con /bozza a un messaggio con il testo, una foto, un video o un PDF ' +
  '(anche con la didascalia che inizia con /bozza).';

export const versionUsage = (): string =>
  'Per una nuova versione rispondi all’anteprima con il nuovo testo, oppure con una foto, un video o un PDF.';

export const onlyPdf = (): string =>
  'Come documento posso inviare solo PDF. Per altri formati salvalo in PDF e rimandalo.';

const MB = 1024 * 1024;

export function mediaTooBig(size: number, limit: number): string {
  return (
    `Il file pesa ${Math.ceil(size / MB)} MB: un bot di Telegram può scaricare file fino a ${Math.round(limit / MB)} MB, ` +
    'quindi non posso tenerlo per WhatsApp. Mandane uno più leggero. Un server Bot API installato dal Comune ' +
    '(indicato in TELEGRAM_API_ROOT) toglie questo limite.'
  );
}

export const mediaDownloadFailed = (): string =>
  'Non sono riuscito a scaricare il file da Telegram: riprova tra poco.';

export function captionTooLong(max: number, length: number): string {
  return (
    `La didascalia è troppo lunga: ${length} caratteri, al massimo ${max} ` +
    '(Telegram mostra fino a 1.024 caratteri sotto un file, e l’anteprima ne usa una parte).'
  );
}

export const DRAFT_LABELS = {
  approve: APPROVE_LABEL,
  reject: REJECT_LABEL,
  schedule: 'Programma',
  urgent: 'Urgente',
  category: 'Categoria',
  lists: 'Liste',
  withdraw: 'Ritira bozza',
  unschedule: 'Annulla programmazione',
  noCategory: 'Nessuna',
  back: 'Indietro',
  chosen: '✓',
} as const;

const MEDIA_NAMES = { image: 'foto', video: 'video', document: 'documento PDF' } as const;

/** "28/11" and "14:05" in Europe/Rome. */
function romeDayAndClock(date: Date): { day: string; clock: string } {
  const parts = new Intl.DateTimeFormat('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return { day: `${part('day')}/${part('month')}`, clock: `${part('hour')}:${part('minute')}` };
}

function onDayAt(date: Date): string {
  const { day, clock } = romeDayAndClock(date);
  return `il ${day} alle ${clock}`;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export type PreviewFacts = {
  bulletinId: number;
  version: number;
  state: 'pending' | 'approved' | 'sending' | 'sent' | 'rejected' | 'withdrawn' | 'stopped';
  authorName: string;
  /** Who made the current version, when not the author. */
  editorName: string | undefined;
  category: string | undefined;
  media: { kind: 'image' | 'video' | 'document'; fileName: string | null } | undefined;
  lists: { name: string; members: number }[];
  urgent: boolean;
  sendAt: Date | null;
  finishedAt: Date | null;
  sendWindow: { startMinute: number; endMinute: number };
  /** The latest decision: approve, reject, withdraw (with who and when). */
  decision: { name: string; at: Date } | undefined;
  rejectReason: string | null;
  approvalVoided: boolean;
  gulpease: number | undefined;
  /** Exactly what citizens read: category header and text, in WhatsApp markup. */
  text: string;
};

function stateLine(f: PreviewFacts): string {
  const who = cut(f.decision?.name ?? unknownPerson(), 40);
  const when = f.decision ? ` ${onDayAt(f.decision.at)}` : '';
  switch (f.state) {
    case 'pending':
      return 'da approvare';
    case 'approved':
      return `approvato da ${who}${when}${f.sendAt ? `; partirà ${onDayAt(f.sendAt)}` : ''}`;
    case 'sending':
      return `in invio (approvato da ${who}${when})`;
    case 'sent':
      return `inviato${f.finishedAt ? ` ${onDayAt(f.finishedAt)}` : ''} (approvato da ${who})`;
    case 'rejected':
      return `rifiutato da ${who}${when}${f.rejectReason ? `. Motivo: ${cut(f.rejectReason, 300)}` : ''}`;
    case 'withdrawn':
      return `ritirato da ${who}${when}: non sarà inviato`;
    case 'stopped':
      return 'fermato durante l’invio';
  }
}

function sendLine(f: PreviewFacts): string | undefined {
  if (f.state !== 'pending' && f.state !== 'approved') return undefined;
  const window = `${hhmm(f.sendWindow.startMinute)}-${hhmm(f.sendWindow.endMinute)}`;
  if (f.sendAt) return `Invio: programmato ${onDayAt(f.sendAt)}${f.urgent ? ', urgente' : ''}.`;
  if (f.urgent) return `Invio: appena approvato, urgente (anche fuori dalla fascia ${window}).`;
  return `Invio: appena approvato, nella fascia ${window}.`;
}

/** One line when the text is hard for the general public (Gulpease bands for Italian readers). */
export function readabilityHint(index: number | undefined): string | undefined {
  if (index === undefined || index >= GULPEASE_HARD_BELOW) return undefined;
  if (index < GULPEASE_VERY_HARD_BELOW)
    return 'Testo molto difficile anche per chi ha un diploma: frasi più brevi e parole comuni aiutano.';
  return 'Testo difficile per chi ha la licenza media: frasi più brevi e parole comuni aiutano.';
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The preview: a header for staff, then exactly what citizens will read. When header and text
 * exceed `limit` (4,096 for a message, 1,024 for a caption) only the first header line is kept.
 */
export function previewText(f: PreviewFacts, limit: number): string {
  const first = `Bollettino n. ${f.bulletinId}, versione ${f.version}: ${stateLine(f)}.`;
  const by = f.editorName
    ? `Scritto da ${cut(f.authorName, 40)}, modificato da ${cut(f.editorName, 40)}.`
    : `Scritto da ${cut(f.authorName, 40)}.`;
  const lists = f.lists.map((l) => `${l.name} (${plural(l.members, 'iscritto', 'iscritti')})`).join(', ');
  const length = `Lunghezza: ${plural(f.text.length, 'carattere', 'caratteri')}.`;
  const header = [
    first,
    ...(f.approvalVoided && f.state === 'pending'
      ? ['Il testo è cambiato dopo l’approvazione: l’approvazione non vale più, va approvato di nuovo.']
      : []),
    `${by} Categoria: ${f.category ?? 'nessuna'}.`,
    ...(f.media
      ? [
          `Allegato: ${MEDIA_NAMES[f.media.kind]}${f.media.fileName ? ` «${cut(f.media.fileName, 60)}»` : ''}.`,
        ]
      : []),
    `Destinatari: ${cut(lists, 300)}.`,
    ...(sendLine(f) ? [sendLine(f)!] : []),
    f.gulpease === undefined ? length : `${length} Leggibilità (indice Gulpease): ${f.gulpease} su 100.`,
    ...(readabilityHint(f.gulpease) ? [readabilityHint(f.gulpease)!] : []),
  ];
  const body =
    f.text === '' ? 'Gli iscritti riceveranno il file senza testo.' : `Gli iscritti leggeranno:\n\n${f.text}`;
  const full = `${header.join('\n')}\n\n${body}`;
  if (full.length <= limit) return full;
  const room = Math.max(1, limit - f.text.length - 2);
  return `${cut(first, room)}\n\n${f.text}`;
}

/** The old preview once a reply made a new version: no buttons, and a pointer to the new one. */
export function supersededPreview(
  input: { bulletinId: number; version: number; text: string },
  limit: number,
): string {
  const head = `Bollettino n. ${input.bulletinId}, versione ${input.version}: sostituita dalla versione ${input.version + 1}, qui sotto.`;
  return cut(`${head}\n\n${input.text}`, limit);
}

export const categoryChosen = (name: string | undefined): string =>
  name ? `Categoria: ${name}. Nuova versione da approvare.` : 'Categoria tolta. Nuova versione da approvare.';
export const listToggled = (): string => 'Destinatari aggiornati.';
