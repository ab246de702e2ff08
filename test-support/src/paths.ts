import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The repository root (the folder with the workspace package.json). */
export const repoRoot = path.resolve(__dirname, '..', '..');

/** A new empty folder under the OS temp dir, removed by the returned cleanup function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `chom-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
