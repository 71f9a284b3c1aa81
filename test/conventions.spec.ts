import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findOperationsWithoutAccessRules } from '@licensing/identity';
import { serviceInfoResolver } from '@licensing/platform';
import {
  featureViolations,
  missingModules,
  moduleExportViolations,
  readSources,
  SourceFile,
} from './support/feature-rules';

const servicesDir = join(__dirname, '..', 'services');
const subgraphs = ['keys', 'coupons', 'sessions', 'notifications'] as const;

function filesEnding(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : filesEnding(path, suffix);
    return entry.endsWith(suffix) ? [path] : [];
  });
}

function exportedClasses(file: string): (new (...args: never[]) => unknown)[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading every discovered source file
  return Object.values(require(file) as Record<string, unknown>).filter(
    (v): v is new (...args: never[]) => unknown => typeof v === 'function',
  );
}

describe('conventions', () => {
  const files = filesEnding(servicesDir, '.resolver.ts');

  it('finds the resolvers of the services', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('every query and mutation states who may call it (@Allow)', () => {
    const classes = files.flatMap(exportedClasses);
    const shared = subgraphs.map(serviceInfoResolver);
    expect(findOperationsWithoutAccessRules([...classes, ...shared] as never)).toEqual([]);
  });

  describe('feature modules', () => {
    const existing = subgraphs.filter((s) => existsSync(join(servicesDir, s, 'src')));

    it.each(existing)('%s: repositories, resolvers and handlers stay inside their feature', (service) => {
      expect(featureViolations(service, readSources(join(servicesDir, service, 'src')))).toEqual([]);
    });

    it.each(existing)('%s: every feature folder with a service or resolver is a module', (service) => {
      expect(missingModules(service, readSources(join(servicesDir, service, 'src')))).toEqual([]);
    });

    it.each(existing)('%s: every feature module exports its service only', (service) => {
      const src = join(servicesDir, service, 'src');
      const modules = filesEnding(src, '.module.ts').filter((f) => !f.endsWith('app.module.ts'));
      const problems = modules.flatMap((file) =>
        exportedClasses(file).flatMap((cls) => moduleExportViolations(service, file.slice(src.length + 1), cls)),
      );
      expect(problems).toEqual([]);
    });

    it('the rules catch what they are meant to catch', () => {
      const tree: SourceFile[] = [
        { path: 'coupon/coupon.resolver.ts', imports: ['./coupon.repository', './coupon.service'] },
        { path: 'activation/activation.service.ts', imports: ['../coupon/coupon.repository'] },
        { path: 'activation/activation.handler.ts', imports: ['@nestjs/typeorm', 'typeorm', './activation.service'] },
        { path: 'activation/activation.resolver.ts', imports: ['../coupon/coupon.service', '../coupon/dto/x.input'] },
        { path: 'coupon/coupon.service.ts', imports: ['./coupon.repository', '../activation/activation.resolver'] },
      ];
      const problems = featureViolations('demo', tree);
      expect(problems).toEqual([
        expect.stringContaining('coupon/coupon.resolver.ts imports ./coupon.repository'),
        expect.stringContaining('activation/activation.service.ts imports ../coupon/coupon.repository'),
        expect.stringContaining('activation/activation.handler.ts imports @nestjs/typeorm'),
        expect.stringContaining('coupon/coupon.service.ts imports ../activation/activation.resolver'),
      ]);
    });
  });
});
