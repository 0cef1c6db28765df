import type { OutletName } from '../../core/outlets.js';
import type { OutletHealthView, PublicationState, PublicationView } from '../../core/publications.js';

// Staff bot texts: outlets (canali), their posts and their health.

/** What staff call each outlet. */
export const OUTLET_LABELS: Record<OutletName, string> = {
  whatsapp: 'WhatsApp 1:1',
  whatsapp_channel: 'Canale WhatsApp',
  telegram_channel: 'Canale Telegram',
  archive: 'Sito',
};

export const OUTLETS_LABEL = 'Canali';

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

/** The preview's line naming where the bulletin will go out. */
export const outletsLine = (outlets: readonly OutletName[]): string => `Canali: ${outletList(outlets)}.`;

/** One status line per broadcast outlet: "Canale Telegram: pubblicato". */
export function publicationLine(view: PublicationView): string {
  const note = view.state === 'posted' && view.note ? ` (${view.note})` : '';
  const retry = view.state === 'pending' && view.attempts > 0 ? ', nuovo tentativo a breve' : '';
  return `${OUTLET_LABELS[view.outlet]}: ${STATE_WORDS[view.state]}${retry}${note}.`;
}

export const outletToggled = (): string => 'Canali aggiornati. Nuova versione da approvare.';

/** /stato: one line per broadcast outlet, from its engine's last check. */
export function outletHealthLines(views: readonly OutletHealthView[]): string[] {
  return views.map(
    (view) => `${OUTLET_LABELS[view.outlet]}: ${view.ok ? 'funziona' : `non funziona (${view.detail})`}.`,
  );
}

/** The withdrawal report's addition: where the post stays. */
export const notRevokedLine = (outlets: readonly OutletName[]): string =>
  `Non è stato possibile ritirarlo da: ${outletList(outlets)}.`;
