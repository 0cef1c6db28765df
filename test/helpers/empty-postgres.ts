import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

/** A new database on the test server with nothing in it, not even our migrations. */
export async function emptyPostgres(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `banditore_empty_${randomBytes(6).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
