import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (each 15-60 s, mostly waiting: a rate held for 1,300 messages, 21
 * program starts, Postgres restarts), measured by `npx vitest run --reporter=json`. Started last,
 * any of them would be the run's tail.
 */
export const SLOW_FILES = [
  'test/whatsapp-cloud/sender.test.ts',
  'test/engine/crash-rounds.test.ts',
  'test/ops/backup-restore.test.ts',
  'test/whatsapp-cloud/crash.test.ts',
  'test/engine/crash.test.ts',
  'test/engine/embedded-owner.test.ts',
  'test/engine/standby.test.ts',
  'test/whatsapp/reply-budget.test.ts',
];

/**
 * The known slow files first, then vitest's own order (the longest files first when its cache
 * has a run to go by, otherwise the largest): in a fresh clone (CI) a slow but small file could
 * start in the last minute and become the run's tail.
 */
export class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FILES.indexOf(relative(spec.project.config.root, spec.moduleId));
      return index === -1 ? SLOW_FILES.length : index;
    };
    return sorted
      .map((spec, position) => ({ spec, position }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.position - b.position)
      .map(({ spec }) => spec);
  }
}
