import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OperationDefinitionNode, parse } from 'graphql';
import { CONTRACT_OPERATIONS, errorCodeLabel, operationLabel } from './graphql-metrics';
import { cached, Metrics } from './metrics';

describe('metric labels', () => {
  it('CONTRACT_OPERATIONS is exactly the set of named operations in contract/', () => {
    const dir = join(__dirname, '..', '..', '..', '..', 'contract');
    const names = readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .flatMap((f) => parse(readFileSync(join(dir, f), 'utf8')).definitions)
      .filter((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')
      .map((d) => d.name?.value)
      .filter((n): n is string => !!n);
    expect([...CONTRACT_OPERATIONS].sort()).toEqual([...new Set(names)].sort());
  });

  it('names a contract operation, strips the gateway fetch suffix, and folds anything else into "other"', () => {
    expect(operationLabel('LicenseKeyCard')).toBe('LicenseKeyCard');
    expect(operationLabel('LicenseKeyCard__coupons__1')).toBe('LicenseKeyCard');
    expect(operationLabel('Made_Up_Name_12345')).toBe('other');
    expect(operationLabel('Made__keys__0')).toBe('other');
    expect(operationLabel(undefined)).toBe('anonymous');
    expect(operationLabel('')).toBe('anonymous');
  });

  it('keeps documented error codes and folds unknown ones into "other"', () => {
    expect(errorCodeLabel('COUPON_USED')).toBe('COUPON_USED');
    expect(errorCodeLabel('GRAPHQL_VALIDATION_FAILED')).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errorCodeLabel('SOMETHING_A_SUBGRAPH_INVENTED')).toBe('other');
    expect(errorCodeLabel(42)).toBe('other');
    expect(errorCodeLabel(undefined)).toBe('other');
  });
});

describe('Metrics', () => {
  it('gives the same metric for the same name and labels every series with the service', async () => {
    const metrics = new Metrics('demo');
    const a = metrics.counter({ name: 'demo_total', help: 'h' });
    const b = metrics.counter({ name: 'demo_total', help: 'h' });
    expect(a).toBe(b);
    a.inc(2);
    const { body, contentType } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toMatch(/^demo_total\{service="demo"\} 2$/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total\{service="demo"\} /m);
  });

  it('cached computes once per interval and tries again after a failure', async () => {
    let calls = 0;
    const read = cached(60_000, () => Promise.resolve(++calls));
    expect(await read()).toBe(1);
    expect(await read()).toBe(1);
    let failing = 0;
    const flaky = cached(60_000, () => (++failing === 1 ? Promise.reject(new Error('x')) : Promise.resolve(failing)));
    await expect(flaky()).rejects.toThrow('x');
    await new Promise((r) => setImmediate(r));
    expect(await flaky()).toBe(2);
  });
});
