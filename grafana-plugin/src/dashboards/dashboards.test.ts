import fs from 'node:fs';
import path from 'node:path';
import { QUERIES } from '../queries';
import { DASHBOARD_FILES, dashboardFor } from './generate';

describe('bundled dashboards', () => {
  it.each(Object.entries(DASHBOARD_FILES))(
    '%s is what the panel specs generate (run scripts/generate-dashboards.ts)',
    (file, page) => {
      const committed = JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(dashboardFor(page))));
    },
  );

  it.each(Object.entries(DASHBOARD_FILES))(
    '%s: the exporter status panel, then every panel of the app page',
    (_file, page) => {
      const dashboard = dashboardFor(page);
      expect(dashboard.panels[0]!.targets[0]!.expr).toBe(QUERIES.exporterUp.expr);
      expect(dashboard.panels.slice(1).map((p) => p.title)).toEqual(page.panels.map((p) => p.title));
      expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    },
  );
});
