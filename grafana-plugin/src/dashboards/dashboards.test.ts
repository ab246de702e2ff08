import fs from 'node:fs';
import path from 'node:path';
import { rangeUtil } from '@grafana/data';
import { QUERIES } from '../queries';
import {
  contentHash,
  DASHBOARD_FILES,
  dashboardFor,
  generateDashboards,
  type RevisionRecord,
} from './generate';

const revisionsFile = path.join(__dirname, '..', '..', 'scripts', 'dashboard-revisions.json');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8'));
// Kept outside src/: the build copies every JSON file of src/ into dist/.
const readRevisions = (): Record<string, RevisionRecord> =>
  JSON.parse(fs.readFileSync(revisionsFile, 'utf8'));

// `npx tsx scripts/generate-dashboards.ts --write` runs this file with CHOM_WRITE_DASHBOARDS=1.
if (process.env.CHOM_WRITE_DASHBOARDS === '1') {
  const { files, revisions } = generateDashboards(readRevisions());
  for (const [file, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(__dirname, file), text);
  }
  fs.writeFileSync(revisionsFile, JSON.stringify(revisions, null, 2) + '\n');
}

describe('bundled dashboards', () => {
  it.each(Object.entries(DASHBOARD_FILES))(
    '%s is what the panel specs generate (run npx tsx scripts/generate-dashboards.ts --write)',
    (file, page) => {
      const { revision, ...committed } = readJson(file);
      expect(committed).toEqual(JSON.parse(JSON.stringify(dashboardFor(page))));
      expect(readRevisions()[file]).toEqual({ revision, sha256: contentHash(dashboardFor(page)) });
    },
  );

  it('a changed dashboard gets the next revision, an unchanged one keeps it', () => {
    const recorded = readRevisions();
    const same = generateDashboards(recorded).revisions;
    expect(same).toEqual(recorded);
    const changed = Object.fromEntries(
      Object.entries(recorded).map(([file, r]) => [file, { ...r, sha256: 'something else' }]),
    );
    for (const [file, r] of Object.entries(generateDashboards(changed).revisions)) {
      expect(r.revision).toBe(recorded[file]!.revision + 1);
    }
    expect(Object.values(generateDashboards({}).revisions).map((r) => r.revision)).toEqual([1, 1]);
  });

  it.each(Object.entries(DASHBOARD_FILES))(
    '%s: the exporter status panel, then every panel of the app page, with unique ids',
    (_file, page) => {
      const dashboard = dashboardFor(page);
      expect(dashboard.panels[0]!.targets[0]!.expr).toBe(QUERIES.exporterUp.expr);
      expect(dashboard.panels.slice(1).map((p) => p.title)).toEqual(page.panels.map((p) => p.title));
      expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
      expect(dashboard.timezone).toBe('utc');
    },
  );

  it.each(Object.entries(DASHBOARD_FILES))(
    '%s: projection panels look ahead from now (Grafana reads timeFrom "+N" as now → now+N)',
    (_file, page) => {
      const dashboard = dashboardFor(page);
      for (const spec of page.panels.filter((p) => p.ahead)) {
        const panel = dashboard.panels.find((p) => p.title === spec.title) as { timeFrom?: string };
        const range = rangeUtil.describeTextRange(panel.timeFrom!);
        expect(range).toMatchObject({ from: 'now', to: `now+${spec.ahead}` });
        expect(range.invalid).toBeFalsy();
      }
    },
  );
});
