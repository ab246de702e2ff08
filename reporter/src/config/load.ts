import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  checkReferencedFiles,
  definitionsFileSchema,
  formatIssues,
  type DefinitionsFile,
  type ReportDefinition,
} from './schema';

export class DefinitionsError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'DefinitionsError';
  }
}

export interface LoadedDefinitions extends DefinitionsFile {
  /** The folder of the definitions file: relative paths in it are read from here. */
  readonly baseDir: string;
  readonly file: string;
}

/** Parses and validates definitions given as YAML text; throws DefinitionsError naming each bad field. */
export function parseDefinitions(
  text: string,
  file: string,
  baseDir = path.dirname(file),
): LoadedDefinitions {
  let raw: unknown;
  try {
    raw = YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    throw new DefinitionsError(file, [`(file): not valid YAML: ${(error as Error).message}`]);
  }
  const parsed = definitionsFileSchema.safeParse(raw);
  if (!parsed.success) throw new DefinitionsError(file, formatIssues(parsed.error));
  const problems = checkReferencedFiles(parsed.data, baseDir);
  if (problems.length > 0) throw new DefinitionsError(file, problems);
  return { ...parsed.data, baseDir, file };
}

export function loadDefinitions(file: string): LoadedDefinitions {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new DefinitionsError(file, [`(file): cannot be read: ${(error as Error).message}`]);
  }
  return parseDefinitions(text, file);
}

export function findReport(definitions: LoadedDefinitions, name: string): ReportDefinition {
  const report = definitions.reports.find((r) => r.name === name);
  if (!report) {
    const known = definitions.reports.map((r) => r.name).join(', ');
    throw new DefinitionsError(definitions.file, [`--report: no report named "${name}" (defined: ${known})`]);
  }
  return report;
}

export function readSmtpPassword(definitions: LoadedDefinitions): string | undefined {
  const auth = definitions.settings.smtp.auth;
  if (!auth) return undefined;
  return fs.readFileSync(path.resolve(definitions.baseDir, auth.password_file), 'utf8').trim();
}

export function resolveLogo(definitions: LoadedDefinitions, report: ReportDefinition): string | undefined {
  return report.branding.logo === undefined
    ? undefined
    : path.resolve(definitions.baseDir, report.branding.logo);
}
