import { describe, expect, it } from 'vitest';
import { isClosedSocketWrite } from '../../src/db/driver-quirks.js';

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
