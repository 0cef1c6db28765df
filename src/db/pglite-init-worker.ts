import { Worker } from 'node:worker_threads';
import { openPglite } from './client.js';
import { shippedCluster } from './shipped-cluster.js';

// Runs as a process of its own (`node pglite-init-worker.js <data dir>`): makes the data directory
// (unpacks the cluster shipped beside it, or runs initdb where there is none) and migrates it, then
// closes. See initialiseDataDir in first-start.ts and shipped-cluster.ts.
const dataDir = process.argv[2];
if (!dataDir) throw new Error('pglite-init-worker: no data directory given');

// Dies with the program that started it, as a thread of the program would: initdb (where no cluster
// is shipped) is one long synchronous call, so a thread of its own watches for the parent to go
// (this process is then handed to another parent) and ends the process.
const parent = process.ppid;
new Worker(
  `setInterval(() => { if (process.ppid !== ${parent}) process.kill(process.pid, 'SIGKILL'); }, 100);`,
  { eval: true },
).unref();

const database = await openPglite(dataDir, shippedCluster(import.meta.url));
await database.close();
