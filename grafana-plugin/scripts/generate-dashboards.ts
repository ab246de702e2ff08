// Writes src/dashboards/*.json from the panel specs (src/panels), so that the dashboards and the app
// pages show the same panels. Run: npx tsx scripts/generate-dashboards.ts [--check]
import fs from 'node:fs';
import path from 'node:path';
import { JSDOM } from 'jsdom';

// @grafana/data expects a browser (window, localStorage): give it jsdom's, as the jest tests do.
const dom = new JSDOM('', { url: 'http://localhost/' });
Object.assign(globalThis, {
  window: dom.window,
  document: dom.window.document,
  localStorage: dom.window.localStorage,
  navigator: dom.window.navigator,
});

const dir = path.join(__dirname, '..', 'src', 'dashboards');
const check = process.argv.includes('--check');
if (process.argv.includes('--help')) {
  console.log(
    'usage: tsx scripts/generate-dashboards.ts [--check]\n  --check  fail if a committed dashboard differs',
  );
  process.exit(0);
}
// Imported after the browser globals exist.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateDashboards } =
  require('../src/dashboards/generate') as typeof import('../src/dashboards/generate');
let stale = 0;
for (const [file, text] of Object.entries(generateDashboards())) {
  const target = path.join(dir, file);
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
  if (current === text) {
    continue;
  }
  if (check) {
    console.error(`${file} is out of date: run npx tsx scripts/generate-dashboards.ts`);
    stale++;
  } else {
    fs.writeFileSync(target, text);
    console.log(`wrote ${path.relative(process.cwd(), target)}`);
  }
}
process.exit(stale > 0 ? 1 : 0);
