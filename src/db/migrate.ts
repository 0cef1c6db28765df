import { ConfigError, loadDatabaseConfig } from '../config.js';
import { openDatabase } from './client.js';

// `npm run db:migrate`: applies the committed migrations from drizzle/ and exits.
try {
  const { databaseUrl, dataDir, dataDirLockWaitMs } = loadDatabaseConfig();
  const database = await openDatabase({ url: databaseUrl, dataDir, lockWaitMs: dataDirLockWaitMs });
  await database.close();
  console.error(`banditore: migrations applied (${database.engine}${databaseUrl ? '' : ` in ${dataDir}`})`);
} catch (err) {
  const lines =
    err instanceof ConfigError ? err.problems : [err instanceof Error ? err.message : String(err)];
  for (const line of lines) console.error(`banditore: ${line}`);
  process.exit(1);
}
