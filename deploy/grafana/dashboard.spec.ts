import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DashboardPanel, metricNamesOf, readDashboard } from '../../test/support/dashboard';

// Grafana cannot run here: this checks what Grafana needs from a provisioned dashboard, and
// test/e2e/operability.e2e-spec.ts checks every metric it names against real /metrics scrapes.

const dashboard = readDashboard();
const panels = dashboard.panels ?? [];
const dataPanels = panels.filter((p) => p.type !== 'row');

describe('the Grafana dashboard (deploy/grafana/dashboards/licensing.json)', () => {
  it('is a dashboard with a stable uid, a title and a current schema version', () => {
    expect(dashboard.uid).toBe('licensing-overview');
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dataPanels.length).toBeGreaterThanOrEqual(20);
  });

  it('gives every panel a unique id and a place on the 24-column grid, without overlaps', () => {
    const ids = panels.map((p) => p.id);
    expect(ids.every((id) => Number.isInteger(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, number | undefined>();
    for (const p of panels) {
      const g = p.gridPos ?? {};
      expect({ id: p.id, ok: [g.h, g.w, g.x, g.y].every((n) => Number.isInteger(n) && n! >= 0) }).toEqual({
        id: p.id,
        ok: true,
      });
      expect(g.w! >= 1 && g.x! + g.w! <= 24 && g.h! >= 1).toBe(true);
      for (let x = g.x!; x < g.x! + g.w!; x++) {
        for (let y = g.y!; y < g.y! + g.h!; y++) {
          const cell = `${x},${y}`;
          expect({ cell, taken: cells.get(cell), by: p.id }).toEqual({ cell, taken: undefined, by: p.id });
          cells.set(cell, p.id);
        }
      }
    }
  });

  it('reads every panel and target from the provisioned Prometheus datasource, each target with an expression', () => {
    const datasources = readFileSync(join(__dirname, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8');
    const uid = /^\s+uid:\s*(\S+)$/m.exec(datasources)?.[1];
    expect(uid).toBe('prometheus');
    for (const p of dataPanels as DashboardPanel[]) {
      expect({ panel: p.title, datasource: p.datasource }).toEqual({
        panel: p.title,
        datasource: { type: 'prometheus', uid },
      });
      expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
      const refIds = (p.targets ?? []).map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets ?? []) {
        expect({ panel: p.title, expr: typeof t.expr === 'string' && t.expr.trim().length > 0 }).toEqual({
          panel: p.title,
          expr: true,
        });
        expect(metricNamesOf(t.expr!).length).toBeGreaterThan(0);
      }
    }
  });

  it('reads metric names out of PromQL, leaving functions, labels and ranges aside', () => {
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, operation) (rate(graphql_request_duration_seconds_bucket{service="gateway"}[$__rate_interval])))',
      ),
    ).toEqual(['graphql_request_duration_seconds_bucket']);
    expect(
      metricNamesOf(
        'sum by (service) (db_pool_connections{state="total"}) - sum(db_pool_connections{state="idle"}) * 60',
      ),
    ).toEqual(['db_pool_connections']);
  });

  it('is loaded by the dashboard provider that docker-compose mounts', () => {
    const provider = readFileSync(join(__dirname, 'provisioning', 'dashboards', 'licensing.yml'), 'utf8');
    expect(provider).toMatch(/type: file/);
    expect(provider).toMatch(/path: \/var\/lib\/grafana\/dashboards/);
  });
});
