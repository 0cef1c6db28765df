import type { StaffNotice } from '../../core/notices.js';

import { cloudTemplateNotice, cloudTierNotice } from './cloud.js';
import { plural } from './words.js';

// Staff bot texts: the WhatsApp link, its status, the lists.

/** Refusals for the bridge's and the lists' domain errors; texts.ts gathers them with the others. */
export function bridgeRefusals(): Record<
  | 'list_not_found'
  | 'list_exists'
  | 'invalid_list_name'
  | 'default_list'
  | 'invalid_phone_number'
  | 'already_linked'
  | 'link_not_pending'
  | 'number_unconfirmed',
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
    link_not_pending:
      'Questo numero non è più in attesa di conferma: /stato mostra il collegamento di adesso.',
    number_unconfirmed:
      'WhatsApp è collegato a un numero nuovo: gli invii ripartono solo quando un amministratore lo conferma con il pulsante nel gruppo.',
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
  new_number: 'WhatsApp è collegato a un numero diverso da prima: serve la conferma di un amministratore',
  cloud_spam_limit:
    'Meta ha limitato gli invii del numero per troppe segnalazioni o blocchi (errore 131048): verificate la qualità del numero in WhatsApp Manager prima di riprendere',
  cloud_policy_block:
    'Meta ha bloccato il numero per una violazione delle regole (errore 368 o 131031): verificate in WhatsApp Manager prima di riprendere',
  cloud_token:
    'Meta ha rifiutato il token di accesso (errore 190): un amministratore deve generarne uno nuovo e aggiornare WA_CLOUD_ACCESS_TOKEN',
  cloud_quality_red:
    'Meta segnala la qualità del numero in rosso (troppi blocchi o segnalazioni): verificate in WhatsApp Manager prima di riprendere',
  cloud_restricted:
    'Meta ha limitato o disattivato l’account WhatsApp Business: verificate in WhatsApp Manager prima di riprendere',
  cloud_template:
    'Meta rifiuta il modello di WA_CLOUD_TEMPLATE (inesistente in quella lingua, con parametri diversi, sospeso o disattivato): verificatelo in WhatsApp Manager prima di riprendere',
  cloud_payment:
    'Meta rifiuta gli invii per un problema di pagamento: verificate il metodo di pagamento in WhatsApp Manager prima di riprendere',
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

/** "02/03, 10:30" in Italian time. */
export function romeTime(date: Date): string {
  return date.toLocaleString('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A size as staff read it: "12,3 MB". */
function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toLocaleString('it-IT', { maximumFractionDigits: 1 })} MB`;
}

/** The linked number as staff read it: "+39 055…" from the jid's user part. */
export function shownNumber(jid: string | null): string {
  const digits = jid?.split('@')[0]?.split(':')[0];
  return digits ? `+${digits}` : 'sconosciuto';
}

export function bridgeStatusText(status: {
  link: string;
  linkedNumber: string | null;
  unconfirmedNumber?: string | null;
  queued: number;
  lastSentAt: Date | null;
  pause: { reason: string; signal: string; until: Date | null } | undefined;
  databaseBytes: number;
}): string {
  const lines = [
    `WhatsApp: ${LINKS[status.link] ?? status.link}.`,
    status.unconfirmedNumber
      ? `Numero collegato: ${shownNumber(status.unconfirmedNumber)}, da confermare (prima: ${shownNumber(status.linkedNumber)}).`
      : `Numero collegato: ${status.link === 'open' || status.linkedNumber ? shownNumber(status.linkedNumber) : 'nessuno'}.`,
    `In coda: ${plural(status.queued, 'messaggio', 'messaggi')}.`,
    `Ultimo invio: ${status.lastSentAt ? romeTime(status.lastSentAt) : 'nessuno'}.`,
    `Spazio occupato dal database: ${megabytes(status.databaseBytes)}.`,
  ];
  if (status.pause) {
    const why = SIGNALS[status.pause.signal] ?? status.pause.reason;
    const until = status.pause.until ? ` fino alle ${romeTime(status.pause.until)}` : '';
    const how = status.pause.signal === 'new_number' ? 'il pulsante di conferma' : '/riprendi';
    lines.push(`Invii in pausa${until}: ${why}. Per riprendere: ${how}.`);
  } else lines.push('Invii attivi.');
  return lines.join('\n');
}

const ROLE_NAMES = { bot: 'Bot Telegram', bridge: 'Ponte WhatsApp' } as const;

/** Which machine does each role's work, and since when (on Postgres the other copies stand by). */
export function activeRolesText(
  roles: { role: 'bot' | 'bridge'; machine: string; pid: number; since: Date }[],
): string[] {
  return roles.map(
    (r) => `${ROLE_NAMES[r.role]} attivo su ${r.machine} (processo ${r.pid}) dal ${romeTime(r.since)}.`,
  );
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
    case 'wa_new_number':
      return (
        `Attenzione: WhatsApp è stato collegato al numero ${shownNumber(notice.number)}, diverso da quello di prima ` +
        `(${shownNumber(notice.previous)}). Gli invii restano fermi: quel telefono riceverebbe i numeri di tutti gli iscritti. ` +
        'Se il numero è quello giusto, un amministratore lo conferma con il pulsante qui sotto; altrimenti scollegatelo dal telefono.'
      );
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
    case 'cloud_tier':
      return cloudTierNotice(notice);
    case 'cloud_template_status':
      return cloudTemplateNotice(notice);
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

export const confirmNumberButton = (number: string): string => `Conferma il numero ${shownNumber(number)}`;
export const numberConfirmed = (number: string): string =>
  `Numero ${shownNumber(number)} confermato: gli invii possono partire.`;
