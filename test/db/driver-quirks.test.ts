import { describe, expect, it } from 'vitest';
import { isClosedSocketWrite, isClosedTypeFetch } from '../../src/db/driver-quirks.js';

describe('isClosedSocketWrite', () => {
  it('recognises postgres.js writing to a connection it closed, and nothing else', () => {
    const quirk = new TypeError("Cannot read properties of null (reading 'write')");
    quirk.stack = `${quirk.message}\n    at Immediate.nextWrite (/app/node_modules/postgres/src/connection.js:255:22)`;
    expect(isClosedSocketWrite(quirk)).toBe(true);
    expect(isClosedSocketWrite({ name: quirk.name, message: quirk.message, stack: quirk.stack })).toBe(true);
    const ours = new TypeError("Cannot read properties of null (reading 'write')");
    expect(isClosedSocketWrite(ours)).toBe(false);
    expect(isClosedSocketWrite(new Error('boom'))).toBe(false);
    expect(isClosedSocketWrite(undefined)).toBe(false);
  });
});

describe('isClosedTypeFetch', () => {
  it("recognises postgres.js's own array-type fetch cut by a restart, and nothing else", () => {
    const typeFetch = `
      select b.oid, b.typarray
      from pg_catalog.pg_type a
      left join pg_catalog.pg_type b on b.oid = a.typelem`;
    // As vitest hands it over: serialised, with postgres.js's fields.
    expect(isClosedTypeFetch({ code: 'CONNECTION_CLOSED', query: typeFetch, parameters: [] })).toBe(true);
    expect(isClosedTypeFetch({ code: 'CONNECTION_CLOSED', query: 'SELECT 1 FROM deliveries' })).toBe(false);
    expect(isClosedTypeFetch({ code: '57P01', query: typeFetch })).toBe(false);
    expect(isClosedTypeFetch(new Error('boom'))).toBe(false);
    expect(isClosedTypeFetch(undefined)).toBe(false);
  });
});
