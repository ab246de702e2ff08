import { getValueFormat } from '@grafana/data';
import { QUERIES, QUERY_NAMES } from '../queries';
import { capacityPlanningPage } from './capacityPlanning';
import { costAnalysisPage } from './costAnalysis';
import { panelModel, thresholdsFor, valueColumnName, type DisplayContext } from './panelModel';

const ctx: DisplayContext = { currency: 'EUR', budgetThresholds: [0.5, 0.8, 1] };
const pages = [costAnalysisPage, capacityPlanningPage];
const allPanels = pages.flatMap((p) => p.panels.map((spec) => ({ page: p.key, spec })));

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
    '%s: queries come from QUERIES through the $datasource variable, with units Grafana knows',
    (_name, spec) => {
      const model = panelModel(spec, ctx);
      expect(model.targets.length).toBeGreaterThan(0);
      for (const target of model.targets) {
        expect(Object.values(QUERIES).map((q) => q.expr)).toContain(target.expr);
        expect(target.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
        expect(target.instant).toBe(!target.range);
      }
      const units = [model.fieldConfig.defaults.unit, ...(spec.columns ?? []).map(() => undefined)];
      for (const unit of units.filter(Boolean) as string[]) {
        // getValueFormat falls back to a plain number formatter for unknown ids: known ids differ.
        expect(getValueFormat(unit)).not.toBe(getValueFormat('this-unit-does-not-exist'));
      }
      expect(new Set(model.targets.map((t) => t.refId)).size).toBe(model.targets.length);
    },
  );

  it('every query is used by a panel or the exporter status check', () => {
    const used = new Set(allPanels.flatMap(({ spec }) => spec.targets.map((t) => t.query)));
    const status = ['exporterUp', 'exporterLastSuccess', 'exporterInfo', 'budgetAlertThresholds'];
    const unused = QUERY_NAMES.filter((n) => !used.has(n) && !status.includes(n));
    expect(unused).toEqual([]);
  });

  it('queries read recording rules rather than repeating their formulas', () => {
    for (const name of QUERY_NAMES) {
      const expr = QUERIES[name].expr;
      expect(expr).not.toMatch(/sum by \(|sum\(chom_infrastructure_cost_monthly|rate\(node_cpu/);
      expect(expr).not.toMatch(/deriv\(/);
    }
  });
});

describe('panel models', () => {
  const get = (page: typeof costAnalysisPage, key: string) =>
    panelModel(
      page.panels.find((p) => p.key === key)!,
      ctx,
    );

  it('total monthly cost: the run-rate rule, in the display currency', () => {
    const m = get(costAnalysisPage, 'total-monthly-cost');
    expect(m.pluginId).toBe('stat');
    expect(m.targets.map((t) => t.expr)).toEqual(['chom:cost_monthly:sum']);
    expect(m.fieldConfig.defaults.unit).toBe('currencyEUR');
    expect(m.fieldConfig.defaults.noValue).toBe('No data yet');
  });

  it('budget utilisation: a gauge on the ratio rule with the configured thresholds', () => {
    const m = get(costAnalysisPage, 'budget-utilisation');
    expect(m.pluginId).toBe('gauge');
    expect(m.targets[0]).toMatchObject({ expr: 'chom:budget_utilisation:ratio', instant: true });
    expect(m.fieldConfig.defaults.unit).toBe('percentunit');
    const thresholds = m.fieldConfig.defaults.thresholds as {
      steps: Array<{ value: number; color: string }>;
    };
    expect(thresholds.steps.map((s) => s.value)).toEqual([-Infinity, 0.5, 0.8, 1]);
    expect(thresholds.steps[3]!.color).toBe('red');
  });

  it('cost trend: month-to-date, forecast, run-rate and budget, the budget and forecast dashed', () => {
    const m = get(costAnalysisPage, 'cost-trend');
    expect(m.pluginId).toBe('timeseries');
    expect(m.targets.map((t) => [t.expr, t.legendFormat, t.range])).toEqual([
      ['chom:cost_month_to_date:sum', 'Month to date', true],
      ['chom:cost_month_end:forecast', 'Month-end forecast', true],
      ['chom:cost_monthly:sum', 'Run-rate', true],
      ['chom:budget_monthly:total', 'Budget', true],
    ]);
    const dashed = m.fieldConfig.overrides[0] as { matcher: { id: string; options: string } };
    expect(dashed.matcher.id).toBe('byRegexp');
    expect(new RegExp(dashed.matcher.options).test('Budget')).toBe(true);
    expect(new RegExp(dashed.matcher.options).test('Month to date')).toBe(false);
  });

  it('cost per tenant: a sortable, filterable table merging cost, revenue, margin and sites', () => {
    const m = get(costAnalysisPage, 'cost-per-tenant');
    expect(m.pluginId).toBe('table');
    expect(m.targets.every((t) => t.format === 'table' && t.instant)).toBe(true);
    expect(m.targets[0]!.expr).toBe(
      'topk($tenant_limit, chom:tenant_cost_monthly:sum_by_tenant{tenant_id=~"$tenant"})',
    );
    expect(m.transformations.map((t) => t.id)).toEqual(['merge', 'filterFieldsByName', 'organize']);
    expect(m.transformations[2]!.options.renameByName).toEqual({
      'Value #A': 'Cost',
      'Value #B': 'Revenue',
      'Value #C': 'Margin',
      'Value #D': 'Sites',
    });
    expect(m.options.sortBy).toEqual([{ displayName: 'Cost', desc: true }]);
    expect((m.fieldConfig.defaults.custom as { filterable: boolean }).filterable).toBe(true);
    const margin = m.fieldConfig.overrides.find(
      (o) => (o.matcher as { options: string }).options === 'Margin',
    ) as { properties: Array<{ id: string; value: unknown }> };
    expect(margin.properties.map((p) => p.id)).toEqual(['unit', 'thresholds', 'custom.cellOptions']);
  });

  it('optimization opportunities: one query, so its value column is "Value"', () => {
    const m = get(costAnalysisPage, 'optimization-opportunities');
    expect(valueColumnName('A', 1)).toBe('Value');
    expect(m.transformations[1]!.options).toEqual({
      include: { names: ['priority', 'kind', 'resource_id', 'Value'] },
    });
  });

  it('capacity: days until full in days, with lead-time thresholds, and 30/60/90-day projections', () => {
    const days = get(capacityPlanningPage, 'storage-days-until-full');
    expect(days.targets[0]!.expr).toBe('chom:capacity_days_until_limit:predict_linear{resource="storage"}');
    expect(days.fieldConfig.defaults.unit).toBe('d');
    expect(days.fieldConfig.defaults.noValue).toBe('Not growing');
    const cpu = get(capacityPlanningPage, 'cpu-trend');
    expect(cpu.targets.map((t) => t.expr)).toEqual([
      'chom:node_cpu_utilisation:ratio',
      'predict_linear(chom:node_cpu_utilisation:ratio[7d], 30 * 86400)',
      'predict_linear(chom:node_cpu_utilisation:ratio[7d], 60 * 86400)',
      'predict_linear(chom:node_cpu_utilisation:ratio[7d], 90 * 86400)',
    ]);
  });

  it('threshold kinds', () => {
    expect(thresholdsFor('allocation', ctx).steps.map((s) => [s.value, s.color])).toEqual([
      [-Infinity, 'red'],
      [0.6, 'orange'],
      [0.8, 'green'],
    ]);
    expect(thresholdsFor('roi', ctx).steps[1]).toEqual({ value: 1, color: 'green' });
  });
});
