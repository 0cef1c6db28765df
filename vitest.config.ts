import { defineConfig } from 'vitest/config';
import { isClosedSocketWrite } from './src/db/driver-quirks.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup/wait-for.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Each file opens its own databases. Vitest's default on 2 cores is one file at a time; most
    // tests wait on sockets, timers and the database rather than the CPU, so three files at once
    // roughly halve the run (measured: 530 s -> see README).
    pool: 'forks',
    maxWorkers: 3,
    // Files in one worker share its modules instead of importing grammY, Baileys, drizzle and
    // PGlite again for each file: test/telegram's 34 files took 123 s of CPU instead of 276 s
    // (import 41 s instead of 146 s). Tests keep no state in modules of their own; helpers that do
    // cache (the database templates) key it by what they were built for.
    isolate: false,
    // The one postgres.js defect the program survives too (see src/db/driver-quirks.ts); tests that
    // restart Postgres meet it. Any other stray error still fails the run.
    onUnhandledError: (error) => !isClosedSocketWrite(error),
  },
});
