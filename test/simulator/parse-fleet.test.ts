import { describe, expect, it } from 'vitest';
import {
  defaultFleet,
  fleetGatewayConfig,
  loadFleetFile,
  parseDurationMs,
  parseFleet,
  startFleet,
} from '../../src/simulator/index.js';
import { parseConfig } from '../../src/config/index.js';

describe('parseFleet', () => {
  it('reads limits with the freeway.yaml syntax, at provider and model level', () => {
    const fleet = parseFleet(`
providers:
  - id: a
    dialect: gemini
    scope: organisation
    resetTimeZone: America/Los_Angeles
    limits: [{ requests: 20, per: minute }, { requests: 50, per: day }]
    models:
      - id: m
        upstreamId: m-up
        speed: 123
        limits: [{ tokens: 1000, per: 90s }, { requests: 3, per: 500ms }, { tokens: 9, per: month, resetTimeZone: UTC }]
`);
    const provider = fleet.providers[0]!;
    expect(provider.scope).toBe('organization');
    expect(provider.admission).toBe('usage');
    expect(provider.keys).toEqual(['sim-a-key']);
    expect(provider.limits[1]).toMatchObject({
      unit: 'requests',
      amount: 50,
      calendar: 'day',
      timeZone: 'America/Los_Angeles',
      windowMs: 86_400_000,
    });
    const model = provider.models[0]!;
    expect(model.latency.tokensPerSecond).toBe(123);
    expect(model.limits.map((l) => l.windowMs)).toEqual([90_000, 500, 30 * 86_400_000]);
    expect(model.limits[2]).toMatchObject({ calendar: 'month', timeZone: 'UTC' });
  });

  it('defaults admission to reserve for openai and cerebras', () => {
    const fleet = parseFleet('providers: [{ id: c, dialect: cerebras, models: [x] }, { id: o, models: [y] }]');
    expect(fleet.providers.map((p) => p.admission)).toEqual(['reserve', 'reserve']);
  });

  it.each([
    [
      'providers: [{ id: a, models: [{ id: m, limits: [{ requests: 5, per: fortnight }] }] }]',
      'providers[0].models[0].limits[0].per',
    ],
    ['providers: [{ id: a, dialect: smoke-signals, models: [m] }]', 'providers[0].dialect'],
    ['providers: [{ id: a, models: [] }]', 'providers[0].models'],
    ['providers: [{ id: a, models: [m], faults: [{ kind: stall }] }]', 'providers[0].faults[0]'],
    ['providers: [{ id: a, models: [m] }, { id: a, models: [m] }]', 'providers[1].id'],
    [
      'providers: [{ id: a, models: [{ id: m, limits: [{ requests: 1, tokens: 2, per: day }] }] }]',
      'providers[0].models[0].limits[0]',
    ],
    ['providers: [{ id: a, models: [{ id: m, tags: [chatty] }] }]', 'providers[0].models[0].tags[0]'],
  ])('names the field in errors: %s', (text, field) => {
    expect(() => parseFleet(text, 'my.yaml')).toThrow(`my.yaml: ${field}:`);
  });

  it('parses durations', () => {
    expect([
      parseDurationMs('500ms'),
      parseDurationMs('90s'),
      parseDurationMs('2m'),
      parseDurationMs('1h'),
      parseDurationMs('x'),
    ]).toEqual([500, 90_000, 120_000, 3_600_000, undefined]);
  });

  it('gives a clear error for a missing file', () => {
    expect(() => loadFleetFile('/nonexistent/fleet.yaml')).toThrow(
      '/nonexistent/fleet.yaml: cannot read fleet file (ENOENT)',
    );
  });
});

describe('the default fleet', () => {
  const fleet = defaultFleet();

  it('models the free tiers with pools of 2+ providers, chat and embeddings', () => {
    const ids = fleet.providers.map((p) => p.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'groq',
        'cerebras',
        'openrouter',
        'gemini',
        'mistral',
        'cloudflare',
        'github-models',
        'nvidia',
      ]),
    );
    const pools = new Map<string, string[]>();
    for (const provider of fleet.providers)
      for (const model of provider.models) pools.set(model.id, [...(pools.get(model.id) ?? []), provider.id]);
    for (const id of ['llama-3.3-70b', 'llama-3.1-8b', 'gpt-oss-120b', 'gemma-3-27b', 'bge-m3'])
      expect(pools.get(id)?.length ?? 0).toBeGreaterThanOrEqual(2);
    const embedding = fleet.providers.flatMap((p) => p.models).filter((m) => m.kind === 'embedding');
    expect(embedding.length).toBeGreaterThan(0);
    expect(fleet.providers.find((p) => p.id === 'github-models')?.dialect).toBe('none');
    expect(fleet.providers.find((p) => p.id === 'gemini')?.limits).toEqual([]);
  });

  it('yields a gateway config that the real config parser accepts', async () => {
    const running = await startFleet(fleet, { seed: 3 });
    try {
      const generated = fleetGatewayConfig(running);
      expect(generated.providers).toHaveLength(fleet.providers.length);
      expect(generated.providers[0]).toMatchObject({
        id: 'groq',
        dialect: 'groq',
        apiKey: 'sim-groq-key',
        baseUrl: running.providers[0]!.baseUrl,
      });
      const parsed = parseConfig(JSON.stringify(generated), { env: {}, fileName: 'fleet config' });
      expect(parsed.providers.length).toBe(fleet.providers.length);
    } finally {
      await running.close();
    }
  });

  it('refuses a gateway config for a spec without addresses', () => {
    expect(() => fleetGatewayConfig(fleet)).toThrow('has no baseUrl');
  });
});
