import { Worker } from 'node:worker_threads';

// Runs as a process of its own (`node pglite-init-worker.js <data dir>`): makes the data directory
// (unpacks the cluster shipped beside it, or runs initdb where there is none) and migrates it, then
// closes. See initialiseDataDir in first-start.ts and shipped-cluster.ts.
const dataDir = process.argv[2];
if (!dataDir) throw new Error('pglite-init-worker: no data directory given');

// Dies with the program that started it, as a thread of the program would: initdb (where no cluster
// is shipped) is one long synchronous call, so a thread of its own watches for the parent to go
// (this process is then handed to another parent) and ends the process. It starts before PGlite and
// drizzle are imported (dynamically, below), so it watches from the first moments: under load the
// thread's start came after the imports, and a process whose program died early lived on for more
// than a second (a clean CI run).
const parent = process.ppid;
new Worker(
  `const check = () => { if (process.ppid !== ${parent}) process.kill(process.pid, 'SIGKILL'); };
   check();
   setInterval(check, 100);`,
  { eval: true },
).unref();

const { openPglite } = await import('./client.js');
const { shippedCluster } = await import('./shipped-cluster.js');
const database = await openPglite(dataDir, shippedCluster(import.meta.url));
await database.close();
