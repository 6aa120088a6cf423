/**
 * `${VAR}` and `${VAR:-default}` in config strings, resolved on the parsed document's scalars so
 * errors keep their line numbers. It reports the variable's name, never its value, and never
 * touches keys: only string values are rewritten.
 */
import { visit, type Document } from 'yaml';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { pathFromAncestors, type DocumentLocator } from './document-locator.js';

// `$${…}` escapes a literal `${…}`; otherwise `${NAME}` or `${NAME:-default}` (default used when unset or empty, as in sh).
const reference = /\$\$\{|\$\{([^}]*)\}?/g;
const variableName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Replaces references in one string; returns an error message (naming the variable) instead of throwing. */
export function interpolateString(text: string, env: NodeJS.ProcessEnv): { value: string } | { error: string } {
  let error: string | undefined;
  const value = text.replace(reference, (match: string, captured: string | undefined) => {
    if (match === '$${') return '${';
    if (error !== undefined) return '';
    if (!match.endsWith('}')) {
      error = 'unterminated ${ … } reference';
      return '';
    }
    const body = captured ?? '';
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    if (!variableName.test(name)) {
      error = `"\${${name}}" is not a valid variable reference; use \${NAME} or \${NAME:-default}`;
      return '';
    }
    const current = env[name];
    if (separator !== -1) return current === undefined || current === '' ? body.slice(separator + 2) : current;
    if (current === undefined) {
      error = `environment variable ${name} is not set (write \${${name}:-default} to give a fallback)`;
      return '';
    }
    return current;
  });
  return error === undefined ? { value } : { error };
}

/** Rewrites every string value in the document in place; throws one ConfigError listing every unresolved reference. */
export function interpolateDocument(
  doc: Document,
  env: NodeJS.ProcessEnv,
  locator: DocumentLocator,
  fileName?: string,
): void {
  const issues: ConfigIssue[] = [];
  visit(doc, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const result = interpolateString(node.value, env);
      if ('value' in result) {
        node.value = result.value;
        return;
      }
      const field = formatPath(pathFromAncestors(ancestors, node));
      const issue: ConfigIssue = { message: result.error };
      if (field !== '') issue.field = field;
      const line = locator.lineOfNode(node);
      if (line !== undefined) issue.line = line;
      issues.push(issue);
    },
  });
  if (issues.length > 0) throw new ConfigError(issues, fileName);
}
