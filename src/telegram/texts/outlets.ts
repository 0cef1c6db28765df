import { FAILED_POST_PREFIX, type OutletHealthView } from '../../core/outlet-health.js';
import type { OutletFailure, OutletName } from '../../core/outlets.js';
import type { PublicationState, PublicationView } from '../../core/publications.js';
import { POSTING_ROLES, type WhatsappChannel } from '../../core/whatsapp-channel.js';
import { romeTime } from './bridge.js';
import { followersText } from './channel.js';

// Staff bot texts: outlets (canali), their posts and their health.

/** What staff call each outlet. */
export const OUTLET_LABELS: Record<OutletName, string> = {
  whatsapp: 'WhatsApp 1:1',
  whatsapp_channel: 'Canale WhatsApp',
  telegram_channel: 'Canale Telegram',
  archive: 'Sito',
};

export const OUTLETS_LABEL = 'Canali';

/** Beside a chosen outlet in the picker that cannot publish now. */
export const OUTLET_UNAVAILABLE = '(non disponibile)';

const FAILURE_WORDS: Record<OutletFailure, string> = {
  unreachable: 'piattaforma non raggiungibile',
  rate_limited: 'la piattaforma chiede di rallentare',
  not_allowed: 'nessun permesso di pubblicare',
  not_found: 'canale non trovato',
  rejected: 'contenuto rifiutato',
  unknown: 'errore imprevisto',
};

/** A health detail for staff: an outlet's own words, or why its last post failed. */
function healthDetail(detail: string): string {
  if (!detail.startsWith(FAILED_POST_PREFIX)) return detail;
  const failure = detail.slice(FAILED_POST_PREFIX.length) as OutletFailure;
  return `ultima pubblicazione non riuscita: ${FAILURE_WORDS[failure] ?? FAILURE_WORDS.unknown}`;
}

/** An outlet no running process checks: its posts wait until one starts. */
const NOT_SERVED = 'nessun processo attivo lo gestisce';

const STATE_WORDS: Record<PublicationState, string> = {
  pending: 'in attesa',
  posting: 'in pubblicazione',
  posted: 'pubblicato',
  failed: 'non pubblicato',
  cancelled: 'annullato',
  revoked: 'ritirato',
  revoke_failed: 'pubblicato, non è stato possibile ritirarlo',
};

/** "Canale Telegram, Sito": outlets named for staff, in the order given. */
export const outletList = (outlets: readonly OutletName[]): string =>
  outlets.map((outlet) => OUTLET_LABELS[outlet]).join(', ');

/** The preview's line naming where the bulletin will go out, marking those that cannot now. */
export const outletsLine = (
  outlets: readonly OutletName[],
  unavailable: readonly OutletName[] = [],
): string =>
  `Canali: ${outlets
    .map(
      (outlet) => `${OUTLET_LABELS[outlet]}${unavailable.includes(outlet) ? ` ${OUTLET_UNAVAILABLE}` : ''}`,
    )
    .join(', ')}.`;

/**
 * One status line per broadcast outlet: "Canale Telegram: pubblicato"; a post waiting for an
 * outlet no running process serves says so, or it would wait without a word.
 */
export function publicationLine(view: PublicationView): string {
  if ((view.state === 'pending' || view.state === 'posting') && !view.served)
    return `${OUTLET_LABELS[view.outlet]}: in attesa: ${NOT_SERVED}.`;
  const note = view.state === 'posted' && view.note ? ` (${view.note})` : '';
  const retry = view.state === 'pending' && view.attempts > 0 ? ', nuovo tentativo a breve' : '';
  return `${OUTLET_LABELS[view.outlet]}: ${STATE_WORDS[view.state]}${retry}${note}.`;
}

export const outletToggled = (): string => 'Canali aggiornati. Nuova versione da approvare.';

/**
 * /stato: one line per configured broadcast outlet, from its engine's last check or post
 * ("Canale Telegram: funziona (Notizie: pronto)."); the WhatsApp Channel with its followers.
 */
export function outletHealthLines(input: {
  outlets: readonly OutletName[];
  health: readonly OutletHealthView[];
  channel: WhatsappChannel | undefined;
}): string[] {
  return input.outlets
    .filter((outlet) => outlet !== 'whatsapp')
    .map((outlet) => {
      const label = OUTLET_LABELS[outlet];
      const channel = outlet === 'whatsapp_channel' ? input.channel : undefined;
      if (outlet === 'whatsapp_channel' && !channel)
        return `${label}: nessuno impostato (/canale crea o /canale collega).`;
      const followers = channel ? `, ${followersText(channel)}` : '';
      const view = input.health.find((row) => row.outlet === outlet);
      if (!view) return `${label}: mai controllato (${NOT_SERVED})${followers}.`;
      let { ok, detail } = view;
      if (channel && !POSTING_ROLES.includes(channel.role)) {
        ok = false;
        detail = `${channel.name}: il numero collegato non può pubblicarci`;
      }
      const state = ok ? 'funziona' : '⚠️ non funziona';
      const why = detail ? ` (${healthDetail(detail)})` : '';
      const stale = view.served ? '' : `; ultimo controllo ${romeTime(view.checkedAt)} (${NOT_SERVED})`;
      return `${label}: ${state}${why}${followers}${stale}.`;
    });
}

/** The withdrawal report's addition: where the post stays. */
export const notRevokedLine = (outlets: readonly OutletName[]): string =>
  `Non è stato possibile ritirarlo da: ${outletList(outlets)}.`;
