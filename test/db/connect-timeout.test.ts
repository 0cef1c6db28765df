import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';

// A connection begun while Postgres restarts can be taken and never answered; postgres.js's own
// limit (30 s) then held every query queued on it. A server that accepts and stays silent stands
// in for that moment.
const silent = createServer((socket) => held.push(socket));
const held: Socket[] = [];
let port = 0;

beforeAll(async () => {
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as { port: number }).port;
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

it('gives up on a Postgres connection that is never answered after 5 s, not 30', async () => {
  const began = Date.now();
  await expect(openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/banditore` })).rejects.toThrow(
    /CONNECT_TIMEOUT/,
  );
  const seconds = (Date.now() - began) / 1000;
  expect(seconds).toBeGreaterThanOrEqual(4.5);
  expect(seconds).toBeLessThan(15);
}, 40_000);
