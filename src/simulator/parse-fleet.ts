/**
 * Reads a fleet file (YAML or JSON) into a FleetSpec, with errors that name the file and the field.
 * It parses limits with its own code, on purpose: the simulator must never share limit parsing
 * with the gateway (src/config), or one bug would hide on both sides of every test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import {
  FAULT_KINDS,
  MODEL_TAGS,
  SIM_DIALECTS,
  type FaultKind,
  type FleetSpec,
  type SimDialect,
  type SimFault,
  type SimLatency,
  type SimLimit,
  type SimModel,
  type SimProvider,
  type SimScope,
} from './fleet-spec.js';
import { parseRejects } from './param-rejections.js';

export class FleetFileError extends Error {
  override name = 'FleetFileError';
}

type Node = Record<string, unknown>;

const SECOND = 1000;
const NAMED_WINDOWS: Record<string, number> = {
  second: SECOND,
  minute: 60 * SECOND,
  hour: 3600 * SECOND,
  day: 86_400 * SECOND,
  month: 30 * 86_400 * SECOND,
};
const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: SECOND,
  m: 60 * SECOND,
  h: 3600 * SECOND,
  d: 86_400 * SECOND,
};

const DEFAULT_LATENCY: SimLatency = { ttftMs: 40, tokensPerSecond: 600, jitter: 0.2 };

/** `500ms`, `90s`, `2m`, `1h`, `1d` (or a bare number of ms) to ms; undefined when malformed. */
export function parseDurationMs(text: unknown): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text : undefined;
  if (typeof text !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
}

class Reader {
  constructor(private readonly fileName: string) {}

  fail(path: string, message: string): never {
    throw new FleetFileError(`${this.fileName}: ${path}: ${message}`);
  }

  object(value: unknown, path: string): Node {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'expected a mapping');
    return value as Node;
  }

  array(value: unknown, path: string): unknown[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) this.fail(path, 'expected a list');
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string' || value.length === 0) this.fail(path, 'expected a non-empty string');
    return value;
  }

  number(value: unknown, path: string, { min = 0, max = Infinity } = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      this.fail(path, `expected a number between ${min} and ${max}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !allowed.includes(value as T)) {
      this.fail(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value as T;
  }

  duration(value: unknown, path: string): number {
    const ms = parseDurationMs(value);
    if (ms === undefined)
      this.fail(path, `expected a duration such as 500ms, 90s, 2m, 1h, got ${JSON.stringify(value)}`);
    return ms;
  }

  limit(value: unknown, path: string, defaultZone: string | undefined): SimLimit {
    const node = this.object(value, path);
    const unit = node.requests !== undefined ? 'requests' : node.tokens !== undefined ? 'tokens' : undefined;
    if (!unit || (node.requests !== undefined && node.tokens !== undefined)) {
      this.fail(path, 'expected exactly one of requests: N or tokens: N');
    }
    const amount = this.number(node[unit], `${path}.${unit}`, { min: 1 });
    const per = node.per;
    if (typeof per !== 'string') this.fail(`${path}.per`, 'expected second, minute, hour, day, month or a duration');
    const named = NAMED_WINDOWS[per];
    const windowMs = named ?? parseDurationMs(per);
    if (windowMs === undefined || windowMs <= 0) {
      this.fail(
        `${path}.per`,
        `expected second, minute, hour, day, month or a duration such as 90s, got ${JSON.stringify(per)}`,
      );
    }
    const limit: SimLimit = { unit, amount, per, windowMs };
    if (per === 'day' || per === 'month') {
      limit.calendar = per;
      const zone = node.resetTimeZone ?? defaultZone;
      if (zone !== undefined) limit.timeZone = this.timeZone(zone, `${path}.resetTimeZone`);
    }
    return limit;
  }

  timeZone(value: unknown, path: string): string {
    const zone = this.string(value, path);
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
    } catch {
      this.fail(path, `unknown time zone ${JSON.stringify(zone)}`);
    }
    return zone;
  }

  latency(value: unknown, path: string, base: SimLatency): SimLatency {
    if (value === undefined) return base;
    const node = this.object(value, path);
    return {
      ttftMs: node.ttftMs === undefined ? base.ttftMs : this.number(node.ttftMs, `${path}.ttftMs`),
      tokensPerSecond:
        node.tokensPerSecond === undefined
          ? base.tokensPerSecond
          : this.number(node.tokensPerSecond, `${path}.tokensPerSecond`, { min: 0 }),
      jitter: node.jitter === undefined ? base.jitter : this.number(node.jitter, `${path}.jitter`, { max: 1 }),
    };
  }

  model(value: unknown, path: string, providerLatency: SimLatency, zone: string | undefined): SimModel {
    const node = typeof value === 'string' ? { id: value } : this.object(value, path);
    const id = this.string(node.id, `${path}.id`);
    const kind =
      node.kind === undefined ? 'chat' : this.oneOf(node.kind, `${path}.kind`, ['chat', 'embedding'] as const);
    let latency = this.latency(node.latency, `${path}.latency`, providerLatency);
    if (node.speed !== undefined) latency = { ...latency, tokensPerSecond: this.number(node.speed, `${path}.speed`) };
    const model: SimModel = {
      id,
      upstreamId: node.upstreamId === undefined ? id : this.string(node.upstreamId, `${path}.upstreamId`),
      kind,
      contextWindow:
        node.contextWindow === undefined
          ? 131_072
          : this.number(node.contextWindow, `${path}.contextWindow`, { min: 1 }),
      maxOutputTokens:
        node.maxOutputTokens === undefined
          ? 8192
          : this.number(node.maxOutputTokens, `${path}.maxOutputTokens`, { min: 1 }),
      tags: this.array(node.tags, `${path}.tags`).map((tag, i) => this.oneOf(tag, `${path}.tags[${i}]`, MODEL_TAGS)),
      dimensions:
        node.dimensions === undefined ? 64 : this.number(node.dimensions, `${path}.dimensions`, { min: 1, max: 8192 }),
      latency,
      limits: this.array(node.limits, `${path}.limits`).map((limit, i) =>
        this.limit(limit, `${path}.limits[${i}]`, zone),
      ),
    };
    if (node.params !== undefined) model.params = this.number(node.params, `${path}.params`);
    if (node.rejects !== undefined) model.rejects = parseRejects(node.rejects, `${path}.rejects`, (p, m) => this.fail(p, m));
    return model;
  }

  fault(value: unknown, path: string): SimFault {
    const node = this.object(value, path);
    const fault: SimFault = { kind: this.oneOf<FaultKind>(node.kind, `${path}.kind`, FAULT_KINDS) };
    if (node.rate !== undefined) fault.rate = this.number(node.rate, `${path}.rate`, { max: 1 });
    if (node.at !== undefined)
      fault.at = this.array(node.at, `${path}.at`).map((n, i) => this.number(n, `${path}.at[${i}]`, { min: 1 }));
    if (node.every !== undefined) fault.every = this.number(node.every, `${path}.every`, { min: 1 });
    if (node.from !== undefined) fault.fromMs = this.duration(node.from, `${path}.from`);
    if (node.for !== undefined) fault.untilMs = (fault.fromMs ?? 0) + this.duration(node.for, `${path}.for`);
    if (node.models !== undefined)
      fault.models = this.array(node.models, `${path}.models`).map((m, i) => this.string(m, `${path}.models[${i}]`));
    if (node.status !== undefined) fault.status = this.number(node.status, `${path}.status`, { min: 400, max: 599 });
    if (node.delay !== undefined) fault.delayMs = this.duration(node.delay, `${path}.delay`);
    if (node.afterTokens !== undefined) fault.afterTokens = this.number(node.afterTokens, `${path}.afterTokens`);
    if (node.factor !== undefined) fault.factor = this.number(node.factor, `${path}.factor`, { max: 1 });
    const timed = fault.fromMs !== undefined || fault.untilMs !== undefined;
    if (fault.kind !== 'lower-limits' && fault.rate === undefined && !fault.at && !fault.every && !timed) {
      this.fail(path, 'a fault needs rate, at, every or from/for');
    }
    if (fault.kind === 'lower-limits' && fault.factor === undefined)
      this.fail(`${path}.factor`, 'lower-limits needs factor (0..1)');
    return fault;
  }

  provider(value: unknown, path: string): SimProvider {
    const node = this.object(value, path);
    const id = this.string(node.id, `${path}.id`);
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(id))
      this.fail(`${path}.id`, 'expected lower-case letters, digits, ".", "_" or "-"');
    const dialect =
      node.dialect === undefined ? 'openai' : this.oneOf<SimDialect>(node.dialect, `${path}.dialect`, SIM_DIALECTS);
    const zone =
      node.resetTimeZone === undefined ? undefined : this.timeZone(node.resetTimeZone, `${path}.resetTimeZone`);
    const latency = this.latency(node.latency, `${path}.latency`, DEFAULT_LATENCY);
    const keys = this.array(node.keys, `${path}.keys`).map((key, i) => this.string(key, `${path}.keys[${i}]`));
    const models = this.array(node.models, `${path}.models`).map((m, i) =>
      this.model(m, `${path}.models[${i}]`, latency, zone),
    );
    if (models.length === 0) this.fail(`${path}.models`, 'a provider needs at least one model');
    const provider: SimProvider = {
      id,
      dialect,
      scope:
        node.scope === undefined
          ? 'key'
          : this.oneOf<SimScope>(node.scope === 'organisation' ? 'organization' : node.scope, `${path}.scope`, [
              'key',
              'organization',
              'project',
              'account',
            ]),
      admission:
        node.admission === undefined
          ? dialect === 'openai' || dialect === 'cerebras'
            ? 'reserve'
            : 'usage'
          : this.oneOf(node.admission, `${path}.admission`, ['reserve', 'usage'] as const),
      keys: keys.length > 0 ? keys : [`sim-${id}-key`],
      limits: this.array(node.limits, `${path}.limits`).map((limit, i) =>
        this.limit(limit, `${path}.limits[${i}]`, zone),
      ),
      models,
      faults: this.array(node.faults, `${path}.faults`).map((f, i) => this.fault(f, `${path}.faults[${i}]`)),
    };
    if (node.baseUrl !== undefined) provider.baseUrl = this.string(node.baseUrl, `${path}.baseUrl`);
    if (node.rejects !== undefined) provider.rejects = parseRejects(node.rejects, `${path}.rejects`, (p, m) => this.fail(p, m));
    return provider;
  }
}

export function parseFleet(text: string, fileName = 'fleet'): FleetSpec {
  const reader = new Reader(fileName);
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    reader.fail(
      '(file)',
      `not valid YAML or JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
  const root = reader.object(document, '(root)');
  const providers = reader.array(root.providers, 'providers').map((p, i) => reader.provider(p, `providers[${i}]`));
  if (providers.length === 0) reader.fail('providers', 'a fleet needs at least one provider');
  const seen = new Set<string>();
  providers.forEach((p, i) => {
    if (seen.has(p.id)) reader.fail(`providers[${i}].id`, `duplicate provider id ${JSON.stringify(p.id)}`);
    seen.add(p.id);
  });
  const fleet: FleetSpec = { providers };
  if (root.name !== undefined) fleet.name = reader.string(root.name, 'name');
  return fleet;
}

export function loadFleetFile(path: string): FleetSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new FleetFileError(`${path}: cannot read fleet file (${code})`);
  }
  return parseFleet(text, path);
}

/** The built-in fleet, fleets/default.yaml at the package root (two levels above src/simulator or dist/simulator). */
export function defaultFleet(): FleetSpec {
  return loadFleetFile(fileURLToPath(new URL('../../fleets/default.yaml', import.meta.url)));
}
