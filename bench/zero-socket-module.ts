import { zeroLatencySocket } from './zero-socket.js';

/** WA_SOCKET_MODULE for the real program in bench/program: the zero-latency stand-in. */
export const makeSocket = zeroLatencySocket().makeSocket;
