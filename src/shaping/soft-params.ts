/**
 * What may be changed in a request to make a provider accept it, and what never may. Soft parameters
 * tune sampling or add extras: dropping or clamping one changes the answer's style, never its kind.
 * Hard needs (tools, a JSON schema, images) change what the answer is: they are never stripped, only
 * routed to a deployment that has them. This module owns the rules and their application, nothing else.
 */

/** Parameters Freeway may drop or clamp when a provider rejects them. */
export const softParams = [
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'logprobs',
  'top_logprobs',
  'seed',
  'user',
  'n',
  'frequency_penalty',
  'presence_penalty',
  'repetition_penalty',
  'stop',
  'parallel_tool_calls',
  'logit_bias',
  'service_tier',
  'metadata',
  'store',
  'reasoning_effort',
  'prediction',
  'modalities',
  'audio',
] as const;
export type SoftParam = (typeof softParams)[number];

export const hardNeeds = ['tools', 'response_format', 'images'] as const;
export type HardNeed = (typeof hardNeeds)[number];

export const isSoftParam = (name: string): name is SoftParam => (softParams as readonly string[]).includes(name);

/** How one parameter must be changed for one deployment. */
export type ParamRule =
  | { action: 'drop' }
  /** Numbers are clamped into [min, max]; a missing bound is open. */
  | { action: 'clamp'; min?: number; max?: number }
  /** Lists (stop) keep their first `max` items. */
  | { action: 'limit-items'; max: number };

export type ParamRules = Partial<Record<SoftParam, ParamRule>>;

/** One change made to a request, for the `x-freeway-shaped` header: `logprobs=dropped`, `temperature=2->1`. */
export interface ShapingChange {
  param: string;
  change: string;
}

export const describeChanges = (changes: readonly ShapingChange[]): string =>
  changes.map((c) => `${c.param}=${c.change}`).join('; ');

/**
 * Applies `rules` to `body` in place (the body is the per-call copy) and returns what changed.
 * A rule for a parameter the client did not send changes nothing.
 */
export function applyRules(body: Record<string, unknown>, rules: ParamRules): ShapingChange[] {
  const changes: ShapingChange[] = [];
  for (const [param, rule] of Object.entries(rules) as [SoftParam, ParamRule][]) {
    const value = body[param];
    if (value === undefined || value === null) continue;
    const change = applyRule(body, param, value, rule);
    if (change) changes.push({ param, change });
  }
  // top_logprobs means nothing without logprobs: a provider that lost one loses both.
  if (body['logprobs'] === undefined && body['top_logprobs'] !== undefined) {
    delete body['top_logprobs'];
    if (!changes.some((c) => c.param === 'top_logprobs')) changes.push({ param: 'top_logprobs', change: 'dropped' });
  }
  return changes;
}

function applyRule(body: Record<string, unknown>, param: SoftParam, value: unknown, rule: ParamRule): string | undefined {
  switch (rule.action) {
    case 'drop':
      delete body[param];
      return 'dropped';
    case 'clamp': {
      if (typeof value === 'boolean') {
        // A flag over its maximum (logprobs: true where the maximum is 0) is a flag the provider refuses.
        if (value && rule.max !== undefined && rule.max < 1) {
          delete body[param];
          return 'dropped';
        }
        return undefined;
      }
      if (typeof value !== 'number') return undefined;
      const bounded = Math.min(rule.max ?? Infinity, Math.max(rule.min ?? -Infinity, value));
      // An integer parameter (n, top_k, top_logprobs) stays an integer inside the range.
      const clamped = Number.isInteger(value) ? Math.max(Math.ceil(rule.min ?? -Infinity), Math.floor(bounded)) : bounded;
      if (clamped === value) return undefined;
      body[param] = clamped;
      return `${value}->${clamped}`;
    }
    case 'limit-items': {
      if (!Array.isArray(value) || value.length <= rule.max) return undefined;
      body[param] = value.slice(0, rule.max);
      return `${value.length}->${rule.max} items`;
    }
  }
}

/** The tighter of two rules for one parameter: a drop beats a range, ranges intersect. */
export function mergeRule(a: ParamRule | undefined, b: ParamRule): ParamRule {
  if (!a) return b;
  if (a.action === 'drop' || b.action === 'drop') return { action: 'drop' };
  if (a.action === 'clamp' && b.action === 'clamp') {
    const min = Math.max(a.min ?? -Infinity, b.min ?? -Infinity);
    const max = Math.min(a.max ?? Infinity, b.max ?? Infinity);
    return { action: 'clamp', ...(Number.isFinite(min) ? { min } : {}), ...(Number.isFinite(max) ? { max } : {}) };
  }
  if (a.action === 'limit-items' && b.action === 'limit-items') return { action: 'limit-items', max: Math.min(a.max, b.max) };
  return b;
}

/** The hard needs a request has, from its body alone. */
export function hardNeedsOf(body: Record<string, unknown>): HardNeed[] {
  const needs: HardNeed[] = [];
  if (Array.isArray(body['tools']) && body['tools'].length > 0) needs.push('tools');
  const format = body['response_format'];
  if (typeof format === 'object' && format !== null && (format as { type?: unknown }).type === 'json_schema') needs.push('response_format');
  const messages = body['messages'];
  if (Array.isArray(messages) && messages.some(hasImage)) needs.push('images');
  return needs;
}

function hasImage(message: unknown): boolean {
  const content = (message as { content?: unknown } | null)?.content;
  return Array.isArray(content) && content.some((part) => (part as { type?: unknown } | null)?.type === 'image_url');
}
