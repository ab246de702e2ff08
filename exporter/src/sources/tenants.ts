import { rowGuard, type SourceDefinition } from './source';
import { id, text } from './values';

export interface TenantRow {
  tenantId: string;
  plan: string;
  name: string;
}

/** Existing tenants (teams not deleted at collection time). */
export const tenantsSource: SourceDefinition<TenantRow> = {
  name: 'tenants',
  sql: `SELECT id AS tenant_id, plan, name
FROM teams
WHERE deleted_at IS NULL OR deleted_at > :now`,
  columns: ['tenant_id', 'plan', 'name'],
  parse: rowGuard<TenantRow>({
    tenantId: (r) => id(r.tenant_id),
    plan: (r) => text(r.plan),
    name: (r) => text(r.name, ''),
  }),
};
