import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { findOperationsWithoutAccessRules } from '@licensing/identity';
import { serviceInfoResolver } from '@licensing/platform';

const servicesDir = join(__dirname, '..', 'services');

function resolverFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : resolverFiles(path);
    return entry.endsWith('.resolver.ts') ? [path] : [];
  });
}

describe('conventions', () => {
  const files = resolverFiles(servicesDir);

  it('finds the resolvers of the services', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it('every query and mutation states who may call it (@Allow)', () => {
    const classes = files.flatMap((file) =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading every discovered resolver file
      Object.values(require(file) as Record<string, unknown>).filter(
        (v): v is new (...args: never[]) => unknown => typeof v === 'function',
      ),
    );
    const shared = (['keys', 'coupons', 'sessions', 'notifications'] as const).map(serviceInfoResolver);
    expect(findOperationsWithoutAccessRules([...classes, ...shared] as never)).toEqual([]);
  });
});
