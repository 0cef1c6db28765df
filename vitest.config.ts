import { defineConfig } from 'vitest/config';
import { isClosedSocketWrite, isClosedTypeFetch } from './src/db/driver-quirks.js';
import { SlowFirst } from './test/setup/slow-first.js';

/** Tests that measure the test process itself (its RSS): they run in a process of their own. */
const OWN_PROCESS = ['test/whatsapp/inbound-flood.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup/wait-for.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Each file opens its own databases. Vitest's default on 2 cores is one file at a time; most
    // tests wait on sockets, timers and the database rather than the CPU, so four files at once
    // keep both cores busy (measured on a 2-core Xeon: 3 files 174 s, 4 files 143-159 s, with
    // 1.6-1.7 cores in use; see README).
    pool: 'forks',
    sequence: { sequencer: SlowFirst },
    maxWorkers: 4,
    // PGlite's WebAssembly unoptimised, as for the programs tests start (test/helpers/program.ts).
    execArgv: ['--liftoff-only'],
    // The two postgres.js defects the program survives too (see src/db/driver-quirks.ts); tests that
    // restart Postgres meet them. Any other stray error still fails the run.
    onUnhandledError: (error) => !isClosedSocketWrite(error) && !isClosedTypeFetch(error),
    projects: [
      {
        extends: true,
        test: {
          name: 'shared',
          include: ['test/**/*.test.ts'],
          exclude: OWN_PROCESS,
          // Files in one worker share its modules instead of importing grammY, Baileys, drizzle
          // and PGlite again for each file: test/telegram's 34 files took 123 s of CPU instead of
          // 276 s, and the whole suite 652 s instead of 859 s. Tests keep no state in modules of
          // their own; helpers that cache (the database templates) key it by what they built.
          isolate: false,
        },
      },
      { extends: true, test: { name: 'own-process', include: OWN_PROCESS, isolate: true } },
    ],
  },
});
