/**
 * The opportunity kinds the exporter publishes in chom_cost_optimization_savings_monthly
 * (docs/cost-model.md#optimization-opportunities): a readable name, what resource_id names, and
 * whether the value is a saving. negative_margin is not: its value is the tenant's monthly shortfall
 * (cost − revenue), reported apart and never added to the savings.
 */
export interface OpportunityKind {
  readonly name: string;
  readonly resource: 'server' | 'tenant';
  readonly saving: boolean;
}

export const OPPORTUNITY_KINDS: Readonly<Record<string, OpportunityKind>> = {
  idle_server: { name: 'Idle server', resource: 'server', saving: true },
  stopped_server: { name: 'Stopped server', resource: 'server', saving: true },
  underused_server: { name: 'Under-used server', resource: 'server', saving: true },
  orphaned_server: { name: 'Server of a deleted tenant', resource: 'server', saving: true },
  orphaned_sites: { name: 'Sites of a deleted tenant', resource: 'tenant', saving: true },
  negative_margin: { name: 'Negative margin', resource: 'tenant', saving: false },
};

/** A kind this version does not know keeps its code as its name and counts as a saving (the metric's meaning). */
export function opportunityKind(kind: string): OpportunityKind & { known: boolean } {
  const known = Object.prototype.hasOwnProperty.call(OPPORTUNITY_KINDS, kind);
  return known
    ? { ...(OPPORTUNITY_KINDS[kind] as OpportunityKind), known }
    : { name: kind, resource: 'server', saving: true, known };
}

/** `server 17`, `tenant 42`; the bare ID for a kind this version does not know. */
export function resourceLabel(kind: string, resourceId: string): string {
  const k = opportunityKind(kind);
  return k.known ? `${k.resource} ${resourceId}` : resourceId;
}
