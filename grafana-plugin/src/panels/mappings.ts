// Types only: the Playwright specs (tests/) import the panel specs in Node, without Grafana's runtime.
import type { MappingType, SpecialValueMatch, ValueMapping } from '@grafana/data';

const text = (values: Record<string, string>, colors: Record<string, string> = {}): ValueMapping => ({
  type: 'value' as MappingType.ValueToText,
  options: Object.fromEntries(
    Object.entries(values).map(([value, display], index) => [
      value,
      { text: display, index, ...(colors[value] ? { color: colors[value] } : {}) },
    ]),
  ),
});

/**
 * Readable names of the optimization opportunity kinds the exporter publishes
 * (docs/cost-model.md#optimization-opportunities); a kind not listed here shows as it is.
 */
export const OPPORTUNITY_KIND_NAMES: Record<string, string> = {
  idle_server: 'Idle server',
  stopped_server: 'Stopped server still billed',
  underused_server: 'Underused server',
  orphaned_server: 'Server of a deleted tenant',
  orphaned_sites: 'Sites of a deleted tenant',
  negative_margin: 'Negative margin (shortfall, not a saving)',
};

export const OPPORTUNITY_NAMES: ValueMapping[] = [text(OPPORTUNITY_KIND_NAMES)];

export const PRIORITY_NAMES: ValueMapping[] = [
  text({ high: 'High', medium: 'Medium', low: 'Low' }, { high: 'red', medium: 'orange', low: 'blue' }),
];

/** The exporter sums the tenants beyond its own tenant limit into `tenant_id="__other__"`. */
export const OTHER_TENANTS: ValueMapping[] = [text({ __other__: 'All other tenants' })];

/** Scaling priorities (the numbers of QUERIES.scalingPriority) and what to do at each. */
export const SCALING_PRIORITY: ValueMapping[] = [
  text(
    { '3': 'High', '2': 'Medium', '1': 'Low', '0': 'None' },
    { '3': 'red', '2': 'orange', '1': 'blue', '0': 'green' },
  ),
];
export const SCALING_ACTION: ValueMapping[] = [
  text({
    '3': 'Scale now: add capacity before the limit is reached',
    '2': 'Plan scaling this month',
    '1': 'Review growth next quarter',
    '0': 'No action needed',
  }),
];

/** An empty days-until cell: the resource is not growing (not a limit reached today). */
export const NOT_GROWING: ValueMapping[] = [
  {
    type: 'special' as MappingType.SpecialValue,
    options: {
      match: 'null+nan' as SpecialValueMatch.NullAndNaN,
      result: { text: 'Not growing', color: 'text', index: 0 },
    },
  },
];
