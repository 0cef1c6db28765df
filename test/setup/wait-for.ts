import { vi } from 'vitest';

// vi.waitFor gives up after 1 s unless told otherwise. That is a bound on how long something may
// take to become true, not a timing the tests assert (those say their bounds themselves); on a
// loaded 2-core machine a reply through the real socket stand-ins and database can take longer,
// and the test then failed with nothing wrong. A wait given its own timeout keeps it.
const waitFor = vi.waitFor;
vi.waitFor = ((callback, options) =>
  waitFor(
    callback,
    typeof options === 'number' ? options : { timeout: 10_000, ...options },
  )) as typeof vi.waitFor;
