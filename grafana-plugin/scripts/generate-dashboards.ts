// Writes src/dashboards/*.json from the panel specs (src/panels), so that the dashboards and the app
// pages show the same panels, and bumps a dashboard's `revision` (scripts/dashboard-revisions.json) when
// its content changes, so that Grafana re-imports it on upgrade.
//
// The panels are @grafana/scenes objects, which need a browser: the generation runs in the jest
// environment the plugin's tests use (src/dashboards/dashboards.test.ts writes the files when
// CHOM_WRITE_DASHBOARDS=1). Without --write it only checks that the committed files are current.
//
// Run from grafana-plugin/: npx tsx scripts/generate-dashboards.ts [--write]
import { spawnSync } from 'node:child_process';
import path from 'node:path';

if (process.argv.includes('--help')) {
  console.log(
    'usage: tsx scripts/generate-dashboards.ts [--write]\n' +
      '  (default)  fail if a committed dashboard differs from what the panel specs generate\n' +
      '  --write    write src/dashboards/*.json and scripts/dashboard-revisions.json',
  );
  process.exit(0);
}
const write = process.argv.includes('--write');
const result = spawnSync(
  'npx',
  ['jest', '--ci', '--selectProjects', 'plugin', '--runTestsByPath', 'src/dashboards/dashboards.test.ts'],
  {
    cwd: path.join(__dirname, '..'),
    stdio: 'inherit',
    env: { ...process.env, CHOM_WRITE_DASHBOARDS: write ? '1' : '0' },
  },
);
process.exit(result.status ?? 1);
