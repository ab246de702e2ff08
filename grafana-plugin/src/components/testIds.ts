export const testIds = {
  app: {
    noDatasource: 'chom-app-no-datasource',
    datasourceFallback: 'chom-app-datasource-fallback',
    health: 'chom-app-exporter-health',
    loading: 'chom-app-loading',
  },
  appConfig: {
    datasourceUid: 'chom-config-datasource-uid',
    currency: 'chom-config-currency',
    tenantLimit: 'chom-config-tenant-limit',
    budgetThresholds: 'chom-config-budget-thresholds',
    submit: 'chom-config-submit',
    saveError: 'chom-config-save-error',
  },
};
