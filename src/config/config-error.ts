/**
 * The one error type a config problem surfaces as: it names the field path and the line, so a
 * user can fix the file without reading code. It must never carry a secret value: messages are
 * built from field names, variable names and expectations, never from what the user wrote.
 */

export interface ConfigIssue {
  /** Field path such as `providers[1].limits[0].per`; absent for whole-file problems. */
  field?: string;
  /** 1-based line in the config file, when known. */
  line?: number;
  message: string;
}

export class ConfigError extends Error {
  readonly field?: string;
  readonly line?: number;
  readonly fileName?: string;
  /** Every problem found; `message` describes the first. */
  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue | readonly ConfigIssue[], fileName?: string) {
    const list = Array.isArray(issues) ? (issues as readonly ConfigIssue[]) : [issues as ConfigIssue];
    const first = list[0] ?? { message: 'invalid config' };
    super(formatIssue(first, fileName));
    this.name = 'ConfigError';
    this.field = first.field;
    this.line = first.line;
    this.fileName = fileName;
    this.issues = list;
  }

  /** Every issue, one per line, in the same format as `message`. */
  describeAll(): string {
    return this.issues.map((issue) => formatIssue(issue, this.fileName)).join('\n');
  }
}

/** `freeway.yaml:12: providers[1].limits[0].per: expected …` */
export function formatIssue(issue: ConfigIssue, fileName?: string): string {
  const where =
    fileName === undefined
      ? issue.line === undefined
        ? ''
        : `line ${issue.line}: `
      : `${fileName}${issue.line === undefined ? '' : `:${issue.line}`}: `;
  return `${where}${issue.field === undefined || issue.field === '' ? '' : `${issue.field}: `}${issue.message}`;
}

/** `['providers', 1, 'limits']` → `providers[1].limits` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text;
}
