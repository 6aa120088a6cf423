/**
 * Reads `freeway.yaml` (or JSON, which YAML parses too): syntax → `${VAR}` interpolation on the
 * document's scalars → zod validation, with every problem reported as a ConfigError naming the
 * field and the line. It never prints a value from the file, so keys cannot leak through errors.
 */
import { readFileSync } from 'node:fs';
import { isMap, isNode, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import { redactSecrets } from '../core/errors.js';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { configSchema } from './config-schema.js';
import { DocumentLocator } from './document-locator.js';
import type { FreewayConfig } from './freeway-config.js';
import { interpolateDocument } from './interpolate-env.js';
import { describeIssue } from './describe-issue.js';

export interface ParseConfigOptions {
  env: NodeJS.ProcessEnv;
  /** Shown in error messages (`freeway.yaml:12: …`). */
  fileName?: string;
  /** Ids the catalog knows; when given, an unknown id without `baseUrl` is an error. */
  catalogProviderIds?: readonly string[];
}

/** Every setting at its default, no providers. */
export function defaultConfig(): FreewayConfig {
  return configSchema.parse({});
}

export function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  options: Omit<ParseConfigOptions, 'env'> = {},
): FreewayConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : 'cannot read the file';
    throw new ConfigError({ message: reason }, path);
  }
  return parseConfig(text, { ...options, env, fileName: options.fileName ?? path });
}

export function parseConfig(text: string, options: ParseConfigOptions): FreewayConfig {
  const { env, fileName, catalogProviderIds } = options;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locator = new DocumentLocator(doc, lineCounter);
  if (doc.errors.length > 0) {
    // yaml describes the syntax, not the text; an alias name is the one echo, hence the redaction.
    throw new ConfigError(
      doc.errors.map((error) => ({
        line: locator.lineAt(error.pos[0]),
        message: `not valid YAML or JSON: ${redactSecrets(error.message)}`,
      })),
      fileName,
    );
  }
  if (doc.contents !== null && !isMap(doc.contents) && !(isScalar(doc.contents) && doc.contents.value === null)) {
    throw new ConfigError(
      {
        line: locator.lineOfNode(doc.contents),
        message: 'expected a mapping of sections (server, providers, …) at the top level',
      },
      fileName,
    );
  }
  interpolateDocument(doc, env, locator, fileName);
  const data: unknown = doc.toJS() ?? {};
  const result = configSchema.safeParse(data, { error: requiredMessage });
  if (!result.success)
    throw redactedError(
      result.error.issues.map((issue) => toConfigIssue(issue, locator)),
      doc,
      fileName,
    );
  const catalogIssues = checkCatalogIds(result.data, catalogProviderIds, locator);
  if (catalogIssues.length > 0) throw redactedError(catalogIssues, doc, fileName);
  return result.data;
}

function redactedError(issues: ConfigIssue[], doc: Document, fileName: string | undefined): ConfigError {
  const secrets = collectSecrets(doc);
  return new ConfigError(
    issues.map((issue) => ({
      ...issue,
      message: redactSecrets(issue.message, secrets),
      // An unknown key is named in the field path, and a pasted key can end up as a key.
      ...(issue.field === undefined ? {} : { field: redactSecrets(issue.field, secrets) }),
    })),
    fileName,
  );
}

// Tells a missing field from a wrong one; runs inside zod, which leaves every other message to describeIssue.
const requiredMessage = (issue: { code?: string; input?: unknown }): string | undefined =>
  issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')
    ? 'is required'
    : undefined;

function toConfigIssue(issue: z.core.$ZodIssue, locator: DocumentLocator): ConfigIssue {
  const path = issue.path.filter((part): part is string | number => typeof part !== 'symbol');
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const fieldPath = unknownKey === undefined ? path : [...path, unknownKey];
  const result: ConfigIssue = { message: describeIssue(issue) };
  const field = formatPath(fieldPath);
  if (field !== '') result.field = field;
  const line = locator.lineOf(path, unknownKey);
  if (line !== undefined) result.line = line;
  return result;
}

function checkCatalogIds(
  config: FreewayConfig,
  catalogIds: readonly string[] | undefined,
  locator: DocumentLocator,
): ConfigIssue[] {
  if (catalogIds === undefined) return [];
  const known = new Set(catalogIds);
  return config.providers.flatMap((provider, index) => {
    if (known.has(provider.id) || provider.baseUrl !== undefined) return [];
    const path = ['providers', index, 'id'];
    return [
      {
        field: formatPath(path),
        line: locator.lineOf(path),
        message: `"${provider.id}" is not a catalog provider; a custom provider needs baseUrl (and its models)`,
      },
    ];
  });
}

/** Every string under an apiKey/apiKeys/headers field, so a message that somehow quotes one gets it redacted. */
function collectSecrets(doc: Document): string[] {
  const secrets: string[] = [];
  visit(doc, {
    Pair(_key, pair) {
      if (
        !isScalar(pair.key) ||
        !isNode(pair.value) ||
        !['apiKey', 'apiKeys', 'headers', 'redis'].includes(String(pair.key.value))
      )
        return;
      visit(pair.value, {
        Scalar(_innerKey, node) {
          if (typeof node.value === 'string' && node.value.length > 0) secrets.push(node.value);
        },
      });
    },
  });
  return secrets;
}
