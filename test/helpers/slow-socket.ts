import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The child-process stand-in socket behind a module that takes two seconds to load: the bridge
 * starts that much later, long enough to see what the program answers meanwhile.
 */
await sleep(2_000);

export { makeSocket } from './child-socket.js';
