/**
 * One zod issue → one short sentence for a human editing the file. It uses the schema's
 * expectations and the names of unknown keys only, never the offending value.
 */
import type { z } from 'zod';

/** Every section and field name the schema accepts, to suggest the one a typo meant. */
// prettier-ignore
const knownKeys = [
  'server', 'state', 'providers', 'routing', 'cache', 'resilience', 'quota', 'batch',
  'host', 'port', 'apiKeys', 'bodyLimitBytes', 'requestTimeoutMs', 'redis',
  'id', 'apiKey', 'baseUrl', 'dialect', 'scope', 'limits', 'models', 'quirks', 'headers',
  'upstreamId', 'displayName', 'contextWindow', 'maxOutputTokens', 'params', 'tags',
  'requests', 'tokens', 'per', 'resetTimeZone', 'dropParams', 'maxTokensParam',
  'aliases', 'allow', 'deny', 'preferences', 'predictorPath',
  'mode', 'memory', 'maxEntries', 'maxBytes', 'sqlitePath', 'ttlSeconds', 'completion', 'embedding', 'discovery', 'warmup',
  'maxAttempts', 'retryBudgetRatio', 'firstTokenTimeoutMs', 'min', 'max', 'idleTimeoutMs', 'totalTimeoutMs',
  'breaker', 'failureThreshold', 'halfOpenAfterMs', 'hedging', 'enabled', 'tokenMargin', 'defaultMaxWaitMs', 'interactiveReserve',
  'batch', 'concurrency', 'maxFileBytes', 'maxLines', 'leaseMs',
];

export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? '';
      const guess = closest(key);
      return `unknown key${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`;
    }
    case 'invalid_type':
      return issue.message === 'is required' ? 'is required' : `expected ${article(issue.expected)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((value) => String(value)).join(', ')}`;
    case 'invalid_union':
      return issue.message === 'is required' ? 'is required' : 'expected a string or a number';
    case 'too_small':
      return issue.origin === 'array' || issue.origin === 'string'
        ? `must not be empty`
        : `expected a number ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      return `expected a number ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}`;
    case 'invalid_format':
      return `expected ${issue.format}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'a whole number';
  if (expected === 'array') return 'a list';
  if (expected === 'object' || expected === 'record') return 'a mapping';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function closest(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of knownKeys) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
