import type { OutletName } from '../../core/outlets.js';
import { GULPEASE_HARD_BELOW, GULPEASE_VERY_HARD_BELOW } from '../../core/readability.js';
import { importedUnreachedLine } from './import.js';
import { outletsLine } from './outlets.js';
import { unknownPerson } from './staff.js';
import { plural } from './words.js';

// Staff bot texts: drafts, preview, versions.

export const APPROVE_LABEL = 'Approva';
export const REJECT_LABEL = 'Rifiuta';

/** Refusals for drafting's domain errors; texts.ts gathers them with the others. */
export function draftRefusals(): Record<
  | 'bulletin_not_editable'
  | 'draft_outdated'
  | 'last_target_list'
  | 'last_target_outlet'
  | 'outlet_not_configured'
  | 'outlet_not_available',
  string
> {
  return {
    bulletin_not_editable:
      'Questo bollettino non si può più modificare: è già partito, oppure è stato rifiutato o ritirato.',
    draft_outdated: 'Questa anteprima non è più quella attuale: usa l’ultima anteprima del bollettino.',
    last_target_list: 'Il bollettino deve andare ad almeno una lista.',
    last_target_outlet: 'Il bollettino deve uscire da almeno un canale.',
    outlet_not_configured: 'Questo canale non è configurato.',
    outlet_not_available:
      'Questo canale ora non può pubblicare (il canale WhatsApp non è impostato o il numero collegato non ne è amministratore: /canale). Scelta non applicata.',
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

export function mediaTooBig(size: number | undefined, limit: number): string {
  const weight = size === undefined ? `più di ${Math.round(limit / MB)}` : String(Math.ceil(size / MB));
  return (
    `Il file pesa ${weight} MB: un bot di Telegram può scaricare file fino a ${Math.round(limit / MB)} MB, ` +
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
  /** Where it goes out, when more than WhatsApp 1:1 is configured. */
  outlets?: readonly OutletName[] | undefined;
  /** Those of them that cannot publish now (marked in the "Canali:" line). */
  unavailableOutlets?: readonly OutletName[] | undefined;
  /** For the transition notice: how many imported people, never sent anything, it would reach now. */
  importedUnreached?: number | undefined;
  urgent: boolean;
  sendAt: Date | null;
  finishedAt: Date | null;
  sendWindow: { startMinute: number; endMinute: number };
  /** The latest decision: approve, reject, withdraw (with who and when). */
  decision: { name: string; at: Date } | undefined;
  rejectReason: string | null;
  approvalVoided: boolean;
  gulpease: number | undefined;
  /** What citizens read: category header and text (its formatting goes beside, as entities). */
  text: string;
  /** With the Cloud API transport: template count, fit warnings, cost estimate. */
  cloud?: string[] | undefined;
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
  const allDay = f.sendWindow.startMinute === 0 && f.sendWindow.endMinute >= 24 * 60;
  if (allDay) return `Invio: appena approvato${f.urgent ? ', urgente' : ''}.`;
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
    ...(f.outlets ? [outletsLine(f.outlets, f.unavailableOutlets)] : []),
    ...(f.importedUnreached === undefined ? [] : [importedUnreachedLine(f.importedUnreached)]),
    ...(sendLine(f) ? [sendLine(f)!] : []),
    f.gulpease === undefined ? length : `${length} Leggibilità (indice Gulpease): ${f.gulpease} su 100.`,
    ...(readabilityHint(f.gulpease) ? [readabilityHint(f.gulpease)!] : []),
    ...(f.cloud ?? []),
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
export const listToggled = (): string => 'Destinatari aggiornati. Nuova versione da approvare.';
