import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { ensurePgliteTemplate, ensurePostgresTemplate } from './helpers/db-template.js';
import { programBuild } from './helpers/program-build.js';

/**
 * Migrates the template test databases and builds the programs tests start (test/helpers/program-build.ts)
 * once, before any test file asks for them, and names this run for the Postgres databases its
 * workers keep (test/helpers/postgres-pool.ts): its teardown drops them.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  process.env.BANDITORE_TEST_RUN = run;
  const url = process.env.TEST_DATABASE_URL;
  // Bundling takes seconds of CPU: once here, not in each worker that starts a program first.
  programBuild();
  await Promise.all([ensurePgliteTemplate(), url ? ensurePostgresTemplate(url) : undefined]);
  return async () => {
    if (!url) return;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    try {
      const names = await admin<{ datname: string }[]>`
        SELECT datname FROM pg_database WHERE datname LIKE ${`banditore\\_test\\_${run}\\_%`}`;
      for (const { datname } of names) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  };
}
