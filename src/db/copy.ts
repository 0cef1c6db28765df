import { sql } from 'drizzle-orm';
import { type Database, type Queryable, rowsOf } from './client.js';

export type CopyProgress = { table: string; copied: number; total: number };
export type TableCount = { table: string; rows: number };

/** About this much JSON per insert statement; a media row alone may exceed it. */
const BATCH_BYTES = 4_000_000;

/**
 * Copies every row of the public tables from one database to another whose schema the same
 * migrations made (either engine to either engine): the target's rows are replaced, tables are
 * filled parents first, sequences take the source's values, and each table's row count is
 * verified before the target's transaction commits. The source is read in one snapshot.
 */
export async function copyDatabase(
  source: Database,
  target: Database,
  onProgress: (progress: CopyProgress) => void = () => {},
): Promise<TableCount[]> {
  return source.db.transaction(
    async (from) => {
      const tables = await tablesParentsFirst(from);
      const wide = await tablesWithBinary(from);
      return target.db.transaction(async (to) => {
        await to.execute(sql.raw(`TRUNCATE ${tables.map(quote).join(', ')} RESTART IDENTITY CASCADE`));
        const counts: TableCount[] = [];
        for (const table of tables) {
          const total = await countRows(from, table);
          const copied = await copyTable(from, to, table, wide.has(table) ? 1 : 500, (n) =>
            onProgress({ table, copied: n, total }),
          );
          const landed = await countRows(to, table);
          if (copied !== total || landed !== total) {
            throw new Error(`${table}: ${total} rows in the source, ${landed} in the target`);
          }
          counts.push({ table, rows: total });
        }
        await copySequences(from, to);
        return counts;
      });
    },
    source.engine === 'postgres' ? { isolationLevel: 'repeatable read', accessMode: 'read only' } : undefined,
  );
}

/** Rows of a public table, to compare after a copy or a restore (whatever the session's search_path). */
export async function countRows(db: Queryable, table: string): Promise<number> {
  const [row] = rowsOf<{ n: string | number }>(
    await db.execute(sql.raw(`SELECT count(*) AS n FROM public.${quote(table)}`)),
  );
  return Number(row?.n ?? 0);
}

/** The public tables, each after every table its foreign keys point to. */
export async function tablesParentsFirst(db: Queryable): Promise<string[]> {
  const tables = rowsOf<{ name: string }>(
    await db.execute(sql`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`),
  ).map((r) => r.name);
  const edges = rowsOf<{ child: string; parent: string }>(
    await db.execute(sql`
      SELECT c.relname AS child, p.relname AS parent
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_class p ON p.oid = k.confrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = 'public' AND c.relname <> p.relname`),
  );
  const ordered: string[] = [];
  const visit = (table: string, path: string[]) => {
    if (ordered.includes(table)) return;
    if (path.includes(table)) throw new Error(`foreign keys form a cycle: ${[...path, table].join(' -> ')}`);
    for (const { parent } of edges.filter((e) => e.child === table)) visit(parent, [...path, table]);
    ordered.push(table);
  };
  for (const table of tables) visit(table, []);
  return ordered;
}

async function tablesWithBinary(db: Queryable): Promise<Set<string>> {
  const rows = rowsOf<{ name: string }>(
    await db.execute(sql`
      SELECT DISTINCT table_name AS name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type = 'bytea'`),
  );
  return new Set(rows.map((r) => r.name));
}

/**
 * Rows travel as JSON text (row_to_json, json_populate_recordset): exact for every type here
 * (microsecond timestamps, bigints, bytea as hex, jsonb), the same on both drivers, no parsing in JS.
 */
async function copyTable(
  from: Queryable,
  to: Queryable,
  table: string,
  fetchSize: number,
  onBatch: (copied: number) => void,
): Promise<number> {
  await from.execute(
    sql.raw(`DECLARE copy_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS j FROM ${quote(table)} t`),
  );
  let copied = 0;
  let batch: string[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await to.execute(
      sql`INSERT INTO ${sql.identifier(table)} SELECT * FROM json_populate_recordset(null::${sql.identifier(table)}, ${`[${batch.join(',')}]`}::json)`,
    );
    copied += batch.length;
    batch = [];
    bytes = 0;
    onBatch(copied);
  };
  for (;;) {
    const rows = rowsOf<{ j: string }>(await from.execute(sql.raw(`FETCH ${fetchSize} FROM copy_rows`)));
    if (rows.length === 0) break;
    for (const { j } of rows) {
      batch.push(j);
      bytes += j.length;
    }
    if (bytes >= BATCH_BYTES || batch.length >= 5_000) await flush();
  }
  await flush();
  await from.execute(sql.raw('CLOSE copy_rows'));
  return copied;
}

/** Each public sequence continues where the source's stands, gaps included. */
async function copySequences(from: Queryable, to: Queryable): Promise<void> {
  const names = rowsOf<{ name: string }>(
    await from.execute(sql`SELECT sequencename AS name FROM pg_sequences WHERE schemaname = 'public'`),
  ).map((r) => r.name);
  for (const name of names) {
    const [state] = rowsOf<{ last_value: string | number; is_called: boolean | string }>(
      await from.execute(sql.raw(`SELECT last_value, is_called FROM ${quote(name)}`)),
    );
    if (!state) continue;
    const called = state.is_called === true || state.is_called === 't';
    await to.execute(
      sql`SELECT setval(${`public.${quote(name)}`}, ${String(state.last_value)}::bigint, ${called})`,
    );
  }
}

function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
