import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers/program.js';

const read = (file: string) => readFileSync(join(root, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The Dockerfile's last stage: what the image runs. */
function runStage(): string[] {
  const lines = read('Dockerfile')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const from = lines.findLastIndex((line) => line.startsWith('FROM '));
  return lines.slice(from);
}

/** Packages the program imports or resolves at run time (type-only imports vanish when compiled). */
function runtimeImports(dir: string): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const source = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    const imports = [...source.matchAll(/^(?:import(?! type)|export)[^;]*?from '([^']+)'/gms)];
    const requires = [...source.matchAll(/require(?:\.resolve)?\('([^']+)'\)/g)];
    for (const [, specifier] of [...imports, ...requires]) {
      if (!specifier || specifier.startsWith('.')) continue;
      const parts = specifier.split('/');
      found.add(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return found;
}

describe('the Docker image', () => {
  it('runs the compiled program as an unprivileged user, with the embedded database in its own directory', () => {
    const stage = runStage();
    const user = stage.find((line) => line.startsWith('USER '));
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(stage.indexOf(user!)).toBeLessThan(stage.findIndex((line) => line.startsWith('ENTRYPOINT')));
    expect(stage).toContain('ENTRYPOINT ["node", "dist/main.js"]');
    // tsconfig.build.json compiles src/ into dist/ (the operations commands run from there), then
    // scripts/bundle.ts makes dist/main.js the program in one file, and with scripts/pglite-cluster.ts
    // the new data directory a first start on PGlite unpacks.
    expect(JSON.parse(read('tsconfig.build.json')).compilerOptions).toMatchObject({
      rootDir: 'src',
      outDir: 'dist',
    });
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json && node --import tsx scripts/bundle.ts');
    expect(read('Dockerfile')).toContain(
      'COPY scripts/bundle.ts scripts/pglite-cluster.ts ./scripts/\nRUN npm run build',
    );
    expect(stage).toContain(
      'RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force',
    );
    expect(stage).toContain('ENV DATA_DIR=/data');
  });

  it('needs no development package at run time: tsx and TypeScript are for development only', () => {
    expect(Object.keys(pkg.dependencies)).not.toContain('tsx');
    expect(Object.keys(pkg.devDependencies)).toContain('tsx');
    const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);
    const missing = [...runtimeImports('src')].filter(
      (name) => !builtins.has(name) && !name.startsWith('node:') && !(name in pkg.dependencies),
    );
    expect(missing).toEqual([]);
  });
});
