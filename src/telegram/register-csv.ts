import type { AuditRow } from '../core/audit.js';
import { REGISTER_COLUMNS } from './texts.js';

/** RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** ISO 8601 with Rome's offset of that moment: 2026-11-28T13:05:00.123+01:00. */
export function romeIso(date: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Rome',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
      hourCycle: 'h23',
      timeZoneName: 'longOffset',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName).replace('GMT', '') || '+00:00';
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond}${offset}`;
}

/**
 * The register as CSV: a byte order mark so Excel reads UTF-8, CRLF line ends, one row per entry,
 * oldest first. Cells are never formulas: every free-text value sits inside the JSON detail.
 */
export function registerCsv(rows: AuditRow[]): Buffer {
  const lines = [REGISTER_COLUMNS.map(csvField).join(',')];
  for (const row of rows) {
    const cells = [
      romeIso(row.at),
      row.at.toISOString(),
      row.actorId === null ? '' : String(row.actorId),
      row.action,
      row.bulletinId === null ? '' : String(row.bulletinId),
      row.version === null ? '' : String(row.version),
      row.hash ?? '',
      JSON.stringify(row.detail ?? {}),
    ];
    lines.push(cells.map(csvField).join(','));
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
