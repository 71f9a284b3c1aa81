import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The shape every subgraph keeps (README, "Working on it"): one folder and one Nest module
 * per feature; a feature's repository, resolver and handler are its own; a resolver reaches
 * data only through its service; an event handler only translates an event into a service
 * call. These rules are read off the import statements of the source files.
 */

export interface SourceFile {
  /** Path relative to the service's `src/`, with forward slashes: `coupon/coupon.resolver.ts`. */
  path: string;
  /** Import specifiers as written (`./coupon.service`, `typeorm`, `@licensing/platform`). */
  imports: string[];
}

/** What a file is by its role suffix: `coupon.repository.ts` → `repository`. */
function roleOf(path: string): string | undefined {
  return /\.(repository|resolver|handler|service|module|entity|types|controller)\.ts$/.exec(path)?.[1];
}

/** The feature folder a path belongs to (its first segment), or undefined at the root of src. */
function featureOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const joined = join(dirname(from), specifier).split(sep).join('/');
  return joined.endsWith('.ts') ? joined : `${joined}.ts`;
}

/** Roles another feature may never import: they are the owner's own business. */
const PRIVATE_ROLES = new Set(['repository', 'resolver', 'handler', 'controller']);
/**
 * What an event handler may not reach for: a data source or a client of its own. (It may
 * name typeorm's EntityManager: the consumer hands it the transaction that also records the
 * event as processed, and the handler passes it on to the service.)
 */
const STORAGE = /^(@nestjs\/typeorm|pg|ioredis)$/;

export function featureViolations(service: string, files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const role = roleOf(file.path);
    const feature = featureOf(file.path);
    for (const specifier of file.imports) {
      const target = resolveImport(file.path, specifier);
      const where = `${service}/src/${file.path} imports ${specifier}`;
      if (role === 'handler' && STORAGE.test(specifier)) {
        problems.push(`${where}: an event handler only calls a service; storage belongs to the repository`);
      }
      if (!target) continue;
      const targetRole = roleOf(target);
      const targetFeature = featureOf(target);
      if (targetRole === 'repository' && (role === 'resolver' || role === 'handler')) {
        problems.push(`${where}: a ${role} calls its feature's service, never a repository`);
      } else if (targetFeature !== feature && targetRole && PRIVATE_ROLES.has(targetRole)) {
        problems.push(
          `${where}: another feature's ${targetRole} is private to ${targetFeature ?? 'src'}; use its exported service`,
        );
      }
    }
  }
  return problems;
}

/** Module classes must export services only (their feature's API), never repositories. */
export function moduleExportViolations(service: string, path: string, moduleClass: unknown): string[] {
  const exported = (Reflect.getMetadata('exports', moduleClass as object) ?? []) as unknown[];
  return exported
    .map((e) => (typeof e === 'function' ? e.name : String(e)))
    .filter((name) => !name.endsWith('Service') && !name.endsWith('Module'))
    .map((name) => `${service}/src/${path} exports ${name}: a feature module exports its service only`);
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'/g;

/** Reads every non-test source file of a service's `src/` with its import specifiers. */
export function readSources(srcDir: string): SourceFile[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return walk(path);
      return entry.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry) ? [path] : [];
    });
  return walk(resolve(srcDir)).map((path) => {
    const text = readFileSync(path, 'utf8');
    const imports = [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]!);
    return { path: relative(srcDir, path).split(sep).join('/'), imports };
  });
}

/** Every feature folder with a service or resolver is a Nest module of its own. */
export function missingModules(service: string, files: readonly SourceFile[]): string[] {
  const folders = new Set(
    files.filter((f) => /\.(service|resolver)\.ts$/.test(f.path) && featureOf(f.path)).map((f) => featureOf(f.path)!),
  );
  return [...folders]
    .filter((folder) => !files.some((f) => featureOf(f.path) === folder && f.path.endsWith('.module.ts')))
    .map((folder) => `${service}/src/${folder} has no ${folder}.module.ts`);
}
