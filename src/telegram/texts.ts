import type { DomainErrorCode } from '../core/errors.js';
import { bridgeRefusals } from './texts/bridge.js';
import { channelRefusals } from './texts/channel.js';
import { cloudRefusals } from './texts/cloud.js';
import { decisionRefusals } from './texts/decisions.js';
import { draftRefusals } from './texts/drafts.js';
import { importRefusals } from './texts/import.js';
import { statusRefusals } from './texts/status.js';

/**
 * Every word the staff bot says, as pure functions of what it is said about: the Italian locale.
 * It lives in texts/ by area (staff and commands, bridge, drafts, decisions, status, import); this module
 * is the one door the rest of the bot uses, and holds the refusals for every domain error.
 */
export * from './texts/bridge.js';
export * from './texts/channel.js';
export * from './texts/cloud.js';
export * from './texts/decisions.js';
export * from './texts/drafts.js';
export * from './texts/import.js';
export * from './texts/outlets.js';
export * from './texts/staff.js';
export * from './texts/status.js';

const refusals: Record<DomainErrorCode, string> = {
  not_staff: 'Non hai un ruolo nello staff.',
  forbidden: 'Il tuo ruolo non lo consente.',
  bulletin_not_found: 'Bollettino non trovato.',
  bulletin_not_pending: 'Questo bollettino è già stato deciso.',
  self_approval:
    'Non puoi approvare un bollettino che hai scritto o modificato tu (testo, categoria o liste): serve un altro approvatore.',
  empty_text: 'Il testo del bollettino è vuoto.',
  text_too_long: 'Il testo del bollettino è troppo lungo.',
  invalid_role: 'Ruolo non valido: usa redattore, approvatore, amministratore o nessuno.',
  configured_admin: 'Questo amministratore è fissato nella configurazione: non si cambia da qui.',
  shared_sender:
    'Questo mittente è condiviso da Telegram (amministratore anonimo o messaggio inviato come canale): non può avere un ruolo. Scrivi a tuo nome.',
  bulletin_not_sending: 'Questo bollettino non è in invio: nulla da mettere in pausa, riprendere o fermare.',
  bulletin_not_sent: 'Questo bollettino non è stato inviato, oppure è già stato ritirato.',
  ...bridgeRefusals(),
  ...statusRefusals(),
  ...decisionRefusals(),
  ...draftRefusals(),
  ...importRefusals(),
  ...cloudRefusals(),
  ...channelRefusals(),
};

export function refusal(code: DomainErrorCode): string {
  return refusals[code];
}
