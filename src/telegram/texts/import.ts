import type { ImportCounts, ImportPreview, ImportResult } from '../../core/import.js';
import { plural } from './words.js';

// Staff bot texts: importing an existing audience, and the transition notice.

/** Refusals for importing's domain errors; texts.ts gathers them with the others. */
export function importRefusals(): Record<
  'import_not_found' | 'import_expired' | 'import_closed' | 'import_not_done' | 'notice_already_drafted',
  string
> {
  return {
    import_not_found: 'Import non trovato.',
    import_expired: 'Questo riepilogo è scaduto: rispondi di nuovo al file con /importa.',
    import_closed: 'Questo import è già stato fatto o annullato.',
    import_not_done: 'L’avviso di transizione si prepara dopo aver importato i numeri.',
    notice_already_drafted:
      'L’avviso di transizione di questo import è già stato preparato: cercalo più sopra. ' +
      'Se viene rifiutato o ritirato, se ne può preparare un altro.',
  };
}

export const IMPORT_LABELS = {
  confirm: 'Importa',
  cancel: 'Annulla',
  notice: 'Prepara l’avviso di transizione',
} as const;

export const importUsage = (): string =>
  'Uso: rispondi con /importa [lista] a un file di contatti: un vCard (.vcf, l’esportazione della rubrica ' +
  'del telefono) o un CSV con una colonna di numeri di telefono. Senza lista vanno nella lista predefinita.';

export function contactsFileTooBig(limitBytes: number): string {
  return `Il file è troppo grande per un elenco di contatti: al massimo ${Math.round(limitBytes / (1024 * 1024))} MB.`;
}

/** "01/12/2026" in Europe/Rome. */
const romeDate = (at: Date) =>
  at.toLocaleDateString('it-IT', {
    timeZone: 'Europe/Rome',
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
  });

const FORMAT_NAMES = { vcard: 'vCard', csv: 'CSV' } as const;

function countLines(counts: ImportCounts, invalidSamples: { line: number; value: string }[]): string[] {
  return [
    `• già iscritti alla lista: ${counts.alreadySubscribed} (restano come sono)`,
    `• cancellati in passato con «Cancella»: ${counts.optedOut} (non vengono reiscritti)`,
    `• da importare: ${counts.valid - counts.alreadySubscribed - counts.optedOut}`,
    `• doppi nel file: ${counts.duplicates}`,
    `• fissi o speciali, probabilmente senza WhatsApp: ${counts.landlines}`,
    `• non validi: ${counts.invalid}${invalidSamples.length > 0 ? ', per esempio:' : ''}`,
    ...invalidSamples.map((s) => `   riga ${s.line}: «${s.value}»`),
  ];
}

/** The summary shown before anything changes; "Importa" and "Annulla" go with a 'ready' one. */
export function importSummary(
  preview: ImportPreview,
  file: { format: 'vcard' | 'csv'; invalidSamples: { line: number; value: string }[] },
  ttlMinutes: number,
): string {
  const list = `«${preview.list.name}»`;
  if (preview.outcome === 'already_imported') {
    return (
      `Questo file è già stato importato nella lista ${list} il ${romeDate(preview.importedAt)} ` +
      `(${plural(preview.imported, 'numero aggiunto', 'numeri aggiunti')}): ` +
      'importarlo di nuovo non cambierebbe nulla.'
    );
  }
  const head = `File ${FORMAT_NAMES[file.format]} per la lista ${list}: ${plural(preview.counts.valid, 'numero valido', 'numeri validi')}.`;
  const lines = countLines(preview.counts, file.invalidSamples);
  if (preview.outcome === 'empty') return [head, ...lines, 'Nessun numero da importare.'].join('\n');
  return [
    head,
    ...lines,
    '',
    'Finché non premi «Importa» non cambia nulla. Ogni numero viene verificato su WhatsApp prima del primo ' +
      `invio; i nomi nel file non vengono salvati. Il pulsante vale ${ttlMinutes} minuti.`,
  ].join('\n');
}

export function importDone(result: ImportResult): string {
  return [
    `Importati ${plural(result.imported, 'numero', 'numeri')} nella lista «${result.list.name}» ` +
      `(file SHA-256 ${result.fileHash.slice(0, 12)}…, nel registro).`,
    'Ora conviene mandare, prima di ogni altro bollettino, l’avviso di transizione: va solo a chi è stato ' +
      'importato e non ha mai ricevuto nulla, e passa per l’approvazione come ogni bollettino.',
  ].join('\n');
}

export const importCancelled = (): string => 'Import annullato: non è stato aggiunto nessun numero.';

/** What the transition notice proposes citizens read (staff can change it before approving). */
export function transitionNoticeText(comune: { name: string; privacyUrl: string }): string {
  return (
    `D'ora in poi riceverai gli avvisi del ${comune.name} da questo numero; scrivi *Cancella* per non riceverli più.\n` +
    `Per sapere quali dati teniamo scrivi *PRIVACY*. Informativa: ${comune.privacyUrl}`
  );
}

/** The preview's line for a bulletin narrowed to the imported people never reached. */
export const importedUnreachedLine = (n: number): string =>
  `Solo chi è stato importato e non ha ancora ricevuto nulla: ${plural(n, 'persona', 'persone')}.`;

/** /iscritti: how the active people joined. */
export const joinSourcesLine = (s: { keyword: number; import: number }): string =>
  `Entrati scrivendo «Iscrizione»: ${s.keyword}; importati da liste esistenti: ${s.import}.`;
