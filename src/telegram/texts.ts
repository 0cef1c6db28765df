import { InlineKeyboard } from 'grammy';
import type { BotCommand } from 'grammy/types';
import { REVOKE_WINDOW_HOURS } from '../core/control.js';
import type { DomainErrorCode } from '../core/errors.js';
import type { StaffNotice } from '../core/notices.js';
import { GULPEASE_HARD_BELOW, GULPEASE_VERY_HARD_BELOW } from '../core/readability.js';
import { hasRole, type StaffRole } from '../core/staff.js';
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
  ...statusRefusals(),
  ...decisionRefusals(),
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

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export const approvedAnswer = (): string => 'Approvato.';

/**
 * Every staff command: the role it needs, its line in /aiuto and in the command menu. One table,
 * so the menu, /aiuto and the test that tries each command without a role never disagree.
 */
export const STAFF_COMMANDS: { command: string; role: StaffRole; usage: string; menu: string }[] = [
  {
    command: 'bozza',
    role: 'redattore',
    usage:
      '/bozza <testo>: scrive un bollettino da approvare (o rispondi con /bozza a un testo, una foto, un video o un PDF)',
    menu: 'Scrive un bollettino da approvare',
  },
  {
    command: 'programmati',
    role: 'redattore',
    usage: '/programmati: i bollettini programmati, da spostare o annullare',
    menu: 'Bollettini programmati',
  },
  {
    command: 'programma',
    role: 'approvatore',
    usage: '/programma <n> <gg/mm hh:mm>: programma l’invio di un bollettino (ora italiana)',
    menu: 'Programma l’invio di un bollettino',
  },
  {
    command: 'storico',
    role: 'redattore',
    usage: '/storico: gli ultimi bollettini e il loro stato',
    menu: 'Ultimi bollettini e il loro stato',
  },
  {
    command: 'iscritti',
    role: 'redattore',
    usage: '/iscritti: iscritti per lista, ingressi e uscite, grafico degli ultimi 90 giorni',
    menu: 'Iscritti e statistiche',
  },
  {
    command: 'stato',
    role: 'redattore',
    usage: '/stato: WhatsApp collegato o no, coda, ultimo invio, pausa',
    menu: 'Stato del collegamento WhatsApp e della coda',
  },
  {
    command: 'liste',
    role: 'redattore',
    usage: '/liste: le liste di iscrizione (crea, rinomina, descrivi, archivia: amministratori)',
    menu: 'Liste di iscrizione',
  },
  {
    command: 'staff',
    role: 'redattore',
    usage: '/staff: chi ha quale ruolo',
    menu: 'Chi ha quale ruolo',
  },
  {
    command: 'riprendi',
    role: 'approvatore',
    usage: '/riprendi: riprende gli invii messi in pausa',
    menu: 'Riprende gli invii messi in pausa',
  },
  {
    command: 'registro',
    role: 'approvatore',
    usage: '/registro: il registro delle azioni, come file CSV',
    menu: 'Registro delle azioni (CSV)',
  },
  {
    command: 'ruolo',
    role: 'amministratore',
    usage:
      '/ruolo <id> redattore|approvatore|amministratore|nessuno: assegna o toglie un ruolo (o rispondi con /ruolo <ruolo> a un messaggio della persona)',
    menu: 'Assegna un ruolo (amministratori)',
  },
  {
    command: 'collega',
    role: 'amministratore',
    usage: '/collega <numero>: collega WhatsApp con un codice invece del QR',
    menu: 'Collega WhatsApp con un codice',
  },
  { command: 'aiuto', role: 'redattore', usage: '/aiuto: questo elenco', menu: 'Elenco dei comandi' },
];

/** The menu Telegram shows in the staff group: every command, the role it needs said in /aiuto. */
export function commandMenu(): BotCommand[] {
  return STAFF_COMMANDS.map((c) => ({ command: c.command, description: c.menu }));
}

const roleNames: Record<StaffRole, string> = {
  redattore: 'redattore (scrive bollettini)',
  approvatore: 'approvatore (approva, programma, ferma gli invii)',
  amministratore: 'amministratore (ruoli, liste, collegamento WhatsApp)',
};

/** /aiuto: the commands the asker's role allows; without a role, how to get one. */
export function help(input: { userId: number; role: StaffRole | null }): string {
  const { role } = input;
  if (role === null) {
    return [
      'Non hai ancora un ruolo nello staff, quindi nessun comando è disponibile per te.',
      `Chiedi a un amministratore di scrivere: /ruolo ${input.userId} redattore (o approvatore).`,
      `Il tuo id Telegram è ${input.userId}.`,
    ].join('\n');
  }
  return [
    `Il tuo ruolo: ${roleNames[role]}. I tuoi comandi:`,
    ...STAFF_COMMANDS.filter((c) => hasRole(role, c.role)).map((c) => c.usage),
    '',
    `Il tuo id Telegram è ${input.userId}.`,
  ].join('\n');
}

export function staffList(
  members: { name: string; telegramId: number; role: StaffRole; configured: boolean }[],
): string {
  if (members.length === 0) return 'Nessuno ha un ruolo nello staff.';
  const order: StaffRole[] = ['amministratore', 'approvatore', 'redattore'];
  const lines = order.flatMap((role) => {
    const holders = members.filter((m) => m.role === role);
    if (holders.length === 0) return [];
    const names = holders.map(
      (m) => `${m.name} (${m.telegramId}${m.configured ? ', da configurazione' : ''})`,
    );
    return [`${role}: ${names.join(', ')}`];
  });
  return ['Ruoli nello staff:', ...lines].join('\n');
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
