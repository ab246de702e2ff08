import { getValueFormat } from '@grafana/data';
import { QUERIES, QUERY_NAMES } from '../queries';
import { capacityPlanningPage } from './capacityPlanning';
import { costAnalysisPage } from './costAnalysis';
import {
  CURRENCY_REF,
  panelTargets,
  panelTransformations,
  prometheusTarget,
  thresholdsFor,
  unitFor,
  valueColumnName,
  type DisplayContext,
} from './model';

const app: DisplayContext = { currency: 'EUR', budgetThresholds: [0.5, 0.8, 1] };
const dashboards: DisplayContext = { currency: undefined, budgetThresholds: [0.5, 0.8, 1] };
const pages = [costAnalysisPage, capacityPlanningPage];
const allPanels = pages.flatMap((p) => p.panels.map((spec) => ({ page: p.key, spec })));
const panel = (key: string) => allPanels.find((p) => p.spec.key === key)!.spec;

describe('panel specs', () => {
  it('have unique keys per page and fit the 24-column grid without overlapping', () => {
    for (const page of pages) {
      const keys = page.panels.map((p) => p.key);
      expect(new Set(keys).size).toBe(keys.length);
      const cells = new Set<string>();
      for (const { gridPos, key } of page.panels) {
        expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
        for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
          for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
            const cell = `${x},${y}`;
            if (cells.has(cell)) {
              throw new Error(`${page.key}/${key} overlaps another panel at ${cell}`);
            }
            cells.add(cell);
          }
        }
      }
    }
  });

  it.each(allPanels.map(({ page, spec }) => [`${page}/${spec.key}`, spec]))(
    '%s: queries from QUERIES through the $datasource variable, units Grafana knows',
    (_name, spec) => {
      const targets = panelTargets(spec, app);
      expect(targets.length).toBeGreaterThan(0);
      for (const target of targets) {
        expect(Object.values(QUERIES).map((q) => q.expr)).toContain(target.expr);
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(target.instant).toBe(!target.range);
      }
      expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
      const units = [spec.unit, ...(spec.columns ?? []).map((c) => c.unit)].map((u) => unitFor(u, app));
      for (const unit of units) {
        // getValueFormat falls back to a plain number formatter for unknown ids: known ids differ.
        expect(getValueFormat(unit)).not.toBe(getValueFormat('this-unit-does-not-exist'));
      }
      // A projection's queries read their start (now) and a projection panel says how far it looks.
      const future = spec.targets.some((t) => (QUERIES[t.query] as { future?: boolean }).future);
      expect(future).toBe(spec.ahead !== undefined);
    },
  );

  it('every query is used by a panel, the exporter status or facts, or the currency of the dashboards', () => {
    const used = new Set(allPanels.flatMap(({ spec }) => spec.targets.map((t) => t.query)));
    const others = [
      'exporterUp',
      'exporterLastSuccess',
      'exporterInfo',
      'budgetAlertThresholds',
      'currencyUnit',
    ];
    expect(QUERY_NAMES.filter((n) => !used.has(n) && !others.includes(n))).toEqual([]);
  });

  it('queries read recording rules rather than repeating their formulas', () => {
    for (const name of QUERY_NAMES) {
      const expr = QUERIES[name].expr;
      expect(expr).not.toMatch(/sum by \(|sum\(chom_infrastructure_cost_monthly|rate\(node_cpu|deriv\(/);
    }
  });

  it('every per-tenant query of a table returns the same tenants: the rows of its first query', () => {
    for (const spec of allPanels
      .map((p) => p.spec)
      .filter((s) => s.labelColumns?.[0]?.label === 'tenant_id')) {
      const [rows, ...others] = spec.targets.map((t) => QUERIES[t.query].expr);
      expect(rows).toMatch(/^topk\(\$tenant_limit, max by \(tenant_id\) \(/);
      for (const expr of others) {
        expect(expr.endsWith(`and on (tenant_id) ${rows}`)).toBe(true);
        expect(expr).toContain(`or on (tenant_id) 0 * ${rows}`);
      }
    }
  });
});

describe('trends and projections', () => {
  it('bandwidth and e-mail are trends over time, not 30-day totals at one instant', () => {
    for (const key of ['bandwidth', 'network-cost', 'email-cost', 'emails-sent']) {
      const spec = panel(key);
      expect([key, spec.type]).toEqual([key, 'timeseries']);
      expect(panelTargets(spec, app).every((t) => t.range)).toBe(true);
    }
  });

  it('forecasts are drawn into the future from the recording rules, pinned to the start of their range', () => {
    const cost = panelTargets(panel('month-end-projection'), app).map((t) => t.expr);
    expect(cost[0]).toContain('chom:cost_month_end:forecast @ start()');
    expect(cost[0]).toContain('chom:month_remaining:seconds @ start()');
    const storage = panelTargets(panel('storage-forecast'), app).map((t) => t.expr);
    expect(storage[0]).toContain(
      'chom:capacity_days_until_limit:predict_linear{resource="storage"} @ start()',
    );
    expect(panel('storage-forecast').ahead).toBe('90d');
  });
});

describe('panel transformations', () => {
  it('a table keeps its key and value columns of each query, joins them on the key, then renames them', () => {
    const spec = panel('cost-per-tenant');
    expect(panelTransformations(spec, app)).toEqual([
      {
        id: 'filterFieldsByName',
        options: { include: { names: ['tenant_id', 'Value #A', 'Value #B', 'Value #C', 'Value #D'] } },
      },
      { id: 'joinByField', options: { byField: 'tenant_id', mode: 'outer' } },
      {
        id: 'organize',
        options: {
          excludeByName: {},
          indexByName: { tenant_id: 0, 'Value #A': 1, 'Value #B': 2, 'Value #C': 3, 'Value #D': 4 },
          renameByName: {
            tenant_id: 'Tenant',
            'Value #A': 'Cost',
            'Value #B': 'Revenue',
            'Value #C': 'Margin',
            'Value #D': 'Sites',
          },
        },
      },
    ]);
  });

  it('a one-query table has no join, and its value column is "Value"', () => {
    const spec = panel('optimization-opportunities');
    const transformations = panelTransformations(spec, app);
    expect(transformations.map((t) => t.id)).toEqual(['filterFieldsByName', 'organize']);
    expect(transformations[0]!.options).toEqual({
      include: { names: ['priority', 'kind', 'resource_id', 'Value'] },
    });
  });

  it('on the dashboards, money panels also query the currency unit and take it from the data', () => {
    const stat = panel('total-monthly-cost');
    expect(panelTargets(stat, dashboards).map((t) => t.refId)).toEqual(['A', CURRENCY_REF]);
    expect(panelTransformations(stat, dashboards)).toEqual([
      {
        id: 'configFromData',
        options: {
          configRefId: CURRENCY_REF,
          mappings: [{ fieldName: 'unit', handlerKey: 'unit', reducerId: 'lastNotNull' }],
          applyTo: { id: 'byType', options: 'number' },
        },
      },
    ]);
    // In a table only the money columns take it, and the currency query counts as a table query.
    const table = panelTransformations(panel('optimization-opportunities'), dashboards);
    expect(table[0]).toMatchObject({
      id: 'configFromData',
      options: { applyTo: { id: 'byNames', options: { mode: 'include', names: ['Value #A'] } } },
    });
    expect(panelTargets(panel('cpu-trend'), dashboards).map((t) => t.refId)).toEqual(['A']);
  });

  it('names value columns like @grafana/prometheus: "Value #refId" only with several table queries', () => {
    const one = [prometheusTarget('A', QUERIES.tenantCost)];
    const two = [...one, prometheusTarget('B', QUERIES.tenantSites)];
    const mixed = [...one, prometheusTarget('B', QUERIES.costMonthly)];
    expect(valueColumnName('A', one)).toBe('Value');
    expect(valueColumnName('A', two)).toBe('Value #A');
    expect(valueColumnName('A', mixed)).toBe('Value');
  });
});

describe('units and thresholds', () => {
  it('money is the configured currency, else the exporter’s from the data with USD as fallback', () => {
    expect(unitFor('money', app)).toBe('currencyEUR');
    expect(unitFor('money', dashboards)).toBe('currencyUSD');
    expect(unitFor('date', app)).toBe('time:YYYY-MM-DD');
  });

  it('threshold kinds', () => {
    expect(thresholdsFor('allocation', app).steps.map((s) => [s.value, s.color])).toEqual([
      [-Infinity, 'red'],
      [0.6, 'orange'],
      [0.8, 'green'],
    ]);
    expect(thresholdsFor('roi', app).steps[1]).toEqual({ value: 1, color: 'green' });
    expect(thresholdsFor('budget', app).steps.map((s) => s.value)).toEqual([-Infinity, 0.5, 0.8, 1]);
    expect(thresholdsFor('priority', app).steps.map((s) => s.color)).toEqual([
      'green',
      'blue',
      'orange',
      'red',
    ]);
  });
});
