import { workerData } from 'node:worker_threads';
import { openPglite } from './client.js';

// Runs in a worker thread: makes the data directory (initdb) and migrates it, then closes. See
// initialiseDataDir in first-start.ts.
const database = await openPglite((workerData as { dataDir: string }).dataDir);
await database.close();
