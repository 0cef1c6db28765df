import { ensurePgliteTemplate, ensurePostgresTemplate } from './helpers/db-template.js';

/** Migrates the template test databases once, before any test file asks for a copy. */
export default async function setup(): Promise<void> {
  await Promise.all([
    ensurePgliteTemplate(),
    process.env.TEST_DATABASE_URL ? ensurePostgresTemplate(process.env.TEST_DATABASE_URL) : undefined,
  ]);
}
