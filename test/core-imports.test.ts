import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = resolve(import.meta.dirname, '..', 'src');
const core = join(src, 'core');

/** Platform and infrastructure libraries core must not reach (drizzle-orm is its database access). */
const FORBIDDEN_PACKAGES = [
  /^grammy($|\/)/,
  /^@grammyjs\//,
  /^@whiskeysockets\/baileys($|\/)/,
  /^baileys($|\/)/,
  /^hono($|\/)/,
  /^@hono\//,
  /^fastify($|\/)/,
  /^postgres($|\/)/,
  /^@electric-sql\//,
  /^pino($|\/)/,
  /^prom-client($|\/)/,
  /^playwright/,
  /^qrcode/,
];
/** Our own adapters and process wiring, which core must not import either. */
const FORBIDDEN_DIRS = ['telegram', 'whatsapp', 'whatsapp-cloud', 'web', 'metrics', 'ops'];
const FORBIDDEN_FILES = ['logger.ts', 'main.ts', 'config.ts'];

const IMPORT =
  /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((match) => match[1] ?? match[2]!);
}

/**
 * Every file core reaches through relative imports, walking into src/ but not through src/db
 * (the database layer holds the drivers; core talks to it through drizzle).
 */
function coreGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const queue = readdirSync(core)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(core, name));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (graph.has(file)) continue;
    const specifiers = importsOf(file);
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(dirname(file), specifier).replace(/\.js$/, '.ts');
      if (!relative(join(src, 'db'), target).startsWith('..')) continue;
      queue.push(target);
    }
  }
  return graph;
}

describe('the core import rule', () => {
  it('finds nothing under src/core that imports a platform library or an adapter', () => {
    const graph = coreGraph();
    const offences: string[] = [];
    for (const [file, specifiers] of graph) {
      for (const specifier of specifiers) {
        const where = relative(src, file);
        if (!specifier.startsWith('.')) {
          if (FORBIDDEN_PACKAGES.some((rule) => rule.test(specifier)))
            offences.push(`${where} -> ${specifier}`);
          continue;
        }
        const target = relative(src, resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
        const top = target.split('/')[0]!;
        if (FORBIDDEN_DIRS.includes(top) || FORBIDDEN_FILES.includes(target))
          offences.push(`${where} -> ${target}`);
      }
    }
    // The graph really was walked: core's files and what they import.
    expect(graph.size).toBeGreaterThan(40);
    expect([...graph.keys()].some((file) => file.endsWith('engine.ts'))).toBe(true);
    expect(offences).toEqual([]);
  });

  it('would catch an offence: the rule matches a grammy import and an adapter import', () => {
    expect(FORBIDDEN_PACKAGES.some((rule) => rule.test('grammy'))).toBe(true);
    expect(FORBIDDEN_PACKAGES.some((rule) => rule.test('@whiskeysockets/baileys'))).toBe(true);
    expect(importsOf(join(src, 'telegram', 'bot.ts'))).toContain('grammy');
  });
});
