import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

type Tail = { ino: number; size: number; lines: string[]; json: unknown[]; rest: Buffer };
const tails = new Map<string, Tail>();

/**
 * The lines of a file a program appends to, as `readFileSync(file).split('\n')` gives them (the
 * last one possibly cut short). Tests poll such files every few milliseconds while a program on
 * the same two cores writes them: only the bytes added since the last call are read and split.
 */
export function appendedLines(file: string): string[] {
  const tail = read(file);
  return tail ? [...tail.lines, tail.rest.toString('utf8')] : [];
}

/** The lines of such a file that end with `}`, parsed (each line once over all calls). */
export function appendedJsonLines<T>(file: string): T[] {
  const tail = read(file);
  if (!tail) return [];
  const last = tail.rest.toString('utf8');
  return [...tail.json, ...(last.endsWith('}') ? [JSON.parse(last)] : [])] as T[];
}

function read(file: string): Tail | undefined {
  if (!existsSync(file)) {
    tails.delete(file);
    return undefined;
  }
  const { ino, size } = statSync(file);
  let tail = tails.get(file);
  if (!tail || tail.ino !== ino || size < tail.size)
    tail = { ino, size: 0, lines: [], json: [], rest: Buffer.alloc(0) };
  if (size > tail.size) {
    const added = Buffer.alloc(size - tail.size);
    const fd = openSync(file, 'r');
    try {
      const read = readSync(fd, added, 0, added.length, tail.size);
      const text = Buffer.concat([tail.rest, added.subarray(0, read)]);
      const end = text.lastIndexOf(0x0a);
      const lines = end >= 0 ? text.subarray(0, end).toString('utf8').split('\n') : [];
      const json = lines.filter((line) => line.endsWith('}')).map((line) => JSON.parse(line) as unknown);
      tail = {
        ino,
        size: tail.size + read,
        lines: tail.lines.concat(lines),
        json: tail.json.concat(json),
        rest: Buffer.from(text.subarray(end + 1)),
      };
    } finally {
      closeSync(fd);
    }
  }
  tails.set(file, tail);
  return tail;
}
