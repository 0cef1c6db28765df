import type { BotCommand } from 'grammy/types';
import type { StaffNotice } from '../../core/notices.js';
import { hasRole, type StaffRole } from '../../core/staff.js';

import { notRevokedLine } from './outlets.js';
import { plural } from './words.js';

// Staff bot texts: roles, commands, help and the staff's own notices.

export function textTooLong(max: number, length: number): string {
  return `Il testo del bollettino è troppo lungo: ${length} caratteri, al massimo ${max}.`;
}

export const unexpectedError = (): string => 'Si è verificato un errore, riprova.';
export const unknownPerson = (): string => 'sconosciuto';
export const otherChatRefusal = (): string => 'Questo bot risponde solo nel gruppo dello staff.';
export const groupUpgraded = (newId: number): string =>
  `Questo gruppo è diventato un supergruppo e Telegram gli ha dato un nuovo id: ${newId}. ` +
  `Continuo a lavorare qui fino al prossimo riavvio; un amministratore imposti STAFF_CHAT_ID=${newId} ` +
  'nella configurazione, altrimenti al riavvio il bot non risponderà più in questo gruppo.';

export const roleUsage = (): string =>
  'Uso: /ruolo <id utente Telegram> redattore|approvatore|amministratore|nessuno';

export function roleChanged(targetId: number, role: StaffRole | null): string {
  return role === null ? `Ruolo di ${targetId} rimosso.` : `Ruolo di ${targetId} impostato: ${role}.`;
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
    usage: '/stato: WhatsApp collegato o no, coda, ultimo invio, pausa, canali',
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
    command: 'importa',
    role: 'amministratore',
    usage:
      '/importa [lista]: in risposta a un file di contatti (vCard o CSV), importa chi riceveva già gli avvisi (amministratori)',
    menu: 'Importa iscritti da un file (amministratori)',
  },
  {
    command: 'collega',
    role: 'amministratore',
    usage: '/collega <numero>: collega WhatsApp con un codice invece del QR',
    menu: 'Collega WhatsApp con un codice',
  },
  {
    command: 'canale',
    role: 'amministratore',
    usage: '/canale [crea <nome> | collega <link> | scollega]: il canale WhatsApp del Comune',
    menu: 'Canale WhatsApp (amministratori)',
  },
  { command: 'aiuto', role: 'redattore', usage: '/aiuto: questo elenco', menu: 'Elenco dei comandi' },
];

/** The commands that apply: with the Cloud API there is no phone to link (/collega). */
const commandsFor = (transport: 'baileys' | 'cloud') =>
  STAFF_COMMANDS.filter((c) => transport === 'baileys' || c.command !== 'collega');

/** The menu Telegram shows in the staff group: every command, the role it needs said in /aiuto. */
export function commandMenu(transport: 'baileys' | 'cloud' = 'baileys'): BotCommand[] {
  return commandsFor(transport).map((c) => ({ command: c.command, description: c.menu }));
}

const roleNames: Record<StaffRole, string> = {
  redattore: 'redattore (scrive bollettini)',
  approvatore: 'approvatore (approva, programma, ferma gli invii)',
  amministratore: 'amministratore (ruoli, liste, collegamento WhatsApp)',
};

/** /aiuto: the commands the asker's role allows; without a role, how to get one. */
export function help(input: {
  userId: number;
  role: StaffRole | null;
  transport?: 'baileys' | 'cloud';
}): string {
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
    ...commandsFor(input.transport ?? 'baileys')
      .filter((c) => hasRole(role, c.role))
      .map((c) => c.usage),
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
    case 'bulletin_revoked': {
      const text = `Bollettino n. ${notice.bulletinId} ritirato: ${plural(notice.revoked, 'messaggio cancellato', 'messaggi cancellati')} per tutti.`;
      return notice.notRevoked?.length ? `${text} ${notRevokedLine(notice.notRevoked)}` : text;
    }
    default:
      return undefined;
  }
}
