import React, { useState, type FormEvent } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps, PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input } from '@grafana/ui';
import { normaliseCurrencyCode, resolveSettings, type AppJsonData } from '../../config';
import { browserPage } from '../../utils/browser';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<AppJsonData>> {}

interface FormState {
  datasourceUid: string;
  currency: string;
  tenantLimit: string;
  budgetThresholds: string;
}

type FormErrors = Partial<Record<keyof FormState, string>>;

/** Validates the form; every error names its field. */
export function validateConfigForm(form: FormState): { jsonData?: AppJsonData; errors: FormErrors } {
  const errors: FormErrors = {};
  const datasourceUid = form.datasourceUid.trim();
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(datasourceUid)) {
    errors.datasourceUid = 'Datasource UID: 1–40 letters, digits, ".", "_" or "-".';
  }
  const currency = form.currency.trim();
  if (currency !== '' && !normaliseCurrencyCode(currency)) {
    errors.currency = 'Currency: a three-letter ISO 4217 code (e.g. EUR), or empty to use the exporter’s.';
  }
  const tenantLimit = Number(form.tenantLimit);
  if (!Number.isInteger(tenantLimit) || tenantLimit < 1 || tenantLimit > 10000) {
    errors.tenantLimit = 'Default tenant limit: a whole number from 1 to 10000.';
  }
  const thresholdText = form.budgetThresholds.trim();
  const thresholds = thresholdText === '' ? [] : thresholdText.split(',').map((t) => Number(t.trim()));
  if (thresholds.some((t) => !Number.isFinite(t) || t <= 0 || t > 10)) {
    errors.budgetThresholds = 'Budget thresholds: comma-separated ratios above 0, e.g. 0.5, 0.75, 0.9, 1.';
  }
  if (Object.keys(errors).length > 0) {
    return { errors };
  }
  return {
    errors,
    jsonData: {
      datasourceUid,
      currency: normaliseCurrencyCode(currency) ?? '',
      tenantLimit,
      budgetThresholds: [...thresholds].sort((a, b) => a - b),
    },
  };
}

/** Saves the app settings the way Grafana's plugin settings API expects. */
export async function savePluginSettings(pluginId: string, data: Partial<PluginMeta<AppJsonData>>) {
  const response = await lastValueFrom(
    getBackendSrv().fetch({ url: `/api/plugins/${pluginId}/settings`, method: 'POST', data }),
  );
  return response.data;
}

const AppConfig = ({ plugin }: AppConfigProps) => {
  const { enabled, pinned, jsonData } = plugin.meta;
  const initial = resolveSettings(jsonData);
  const [form, setForm] = useState<FormState>({
    datasourceUid: initial.datasourceUid,
    currency: initial.currency,
    tenantLimit: String(initial.tenantLimit),
    budgetThresholds: initial.budgetThresholds.join(', '),
  });
  const [errors, setErrors] = useState<FormErrors>({});
  const [saveError, setSaveError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const update = (key: keyof FormState) => (e: FormEvent<HTMLInputElement>) =>
    setForm({ ...form, [key]: e.currentTarget.value });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const result = validateConfigForm(form);
    setErrors(result.errors);
    if (!result.jsonData) {
      return;
    }
    setSaving(true);
    setSaveError(null);
    try {
      await savePluginSettings(plugin.meta.id, { enabled, pinned, jsonData: result.jsonData });
      // Grafana caches plugin settings for the life of the page: load the page again so that the app
      // pages (and this form) read the saved values.
      browserPage.reload();
    } catch (err) {
      const message = (err as { data?: { message?: string }; message?: string }).data?.message;
      setSaveError(message ?? (err as Error).message ?? 'unknown error');
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={onSubmit}>
      <FieldSet label="CHOM FinOps settings">
        <Field
          label="Prometheus datasource UID"
          description="The Prometheus that scrapes the CHOM exporter (the provisioned one is chom-prometheus)."
          invalid={Boolean(errors.datasourceUid)}
          error={errors.datasourceUid}
        >
          <Input
            id="chom-datasource-uid"
            width={40}
            data-testid={testIds.appConfig.datasourceUid}
            value={form.datasourceUid}
            onChange={update('datasourceUid')}
          />
        </Field>
        <Field
          label="Currency"
          description="ISO 4217 code to display money in. Empty: the currency the exporter reports (chom_exporter_info)."
          invalid={Boolean(errors.currency)}
          error={errors.currency}
        >
          <Input
            id="chom-currency"
            width={12}
            placeholder="from exporter"
            data-testid={testIds.appConfig.currency}
            value={form.currency}
            onChange={update('currency')}
          />
        </Field>
        <Field
          label="Default tenant limit"
          description="How many tenants the per-tenant tables list (the costliest first)."
          invalid={Boolean(errors.tenantLimit)}
          error={errors.tenantLimit}
        >
          <Input
            id="chom-tenant-limit"
            width={12}
            type="number"
            data-testid={testIds.appConfig.tenantLimit}
            value={form.tenantLimit}
            onChange={update('tenantLimit')}
          />
        </Field>
        <Field
          label="Budget thresholds"
          description="Ratios where the budget gauges change colour. Empty: the exporter's budgets.alert_thresholds."
          invalid={Boolean(errors.budgetThresholds)}
          error={errors.budgetThresholds}
        >
          <Input
            id="chom-budget-thresholds"
            width={40}
            placeholder="from exporter"
            data-testid={testIds.appConfig.budgetThresholds}
            value={form.budgetThresholds}
            onChange={update('budgetThresholds')}
          />
        </Field>
        {saveError && (
          <div data-testid={testIds.appConfig.saveError}>
            <Alert severity="error" title="Settings not saved">
              {saveError}
            </Alert>
          </div>
        )}
        <Button type="submit" data-testid={testIds.appConfig.submit} disabled={saving}>
          Save settings
        </Button>
      </FieldSet>
    </form>
  );
};

export default AppConfig;
