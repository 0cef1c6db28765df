import { customType, timestamp } from 'drizzle-orm/pg-core';

// Column helpers the tables share.

export const createdAt = () => timestamp({ withTimezone: true }).notNull().defaultNow();

/** Binary data; PGlite returns a Uint8Array and postgres.js a Buffer: both become a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});
