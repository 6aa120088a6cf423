import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  customProviderDefaults,
  defaultConfig,
  loadConfigFile,
  parseConfig,
} from '../../src/config/index.js';
import { DAY, MINUTE, SECOND } from '../../src/core/limits.js';
import { configErrorOf, lines } from './config-test-helpers.js';

const examplePath = fileURLToPath(new URL('../../freeway.example.yaml', import.meta.url));

describe('defaults', () => {
  it('gives every documented default for an empty file', () => {
    const config = parseConfig('', { env: {} });
    expect(config).toEqual(defaultConfig());
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8787,
      apiKeys: [],
      bodyLimitBytes: 4 * 1024 * 1024,
      requestTimeoutMs: 600_000,
    });
    expect(config.state).toEqual({});
    expect(config.providers).toEqual([]);
    expect(config.routing).toEqual({});
    expect(config.cache).toEqual({
      mode: 'deterministic',
      memory: { maxEntries: 1000, maxBytes: 64 * 1024 * 1024 },
      sqlitePath: '.freeway/cache.sqlite',
      redis: false,
      ttlSeconds: { completion: 86_400, embedding: 604_800, models: 3_600, discovery: 86_400 },
      warmup: [],
    });
    expect(config.resilience).toEqual({
      maxAttempts: 4,
      retryBudgetRatio: 0.2,
      firstTokenTimeoutMs: { min: 2_000, max: 60_000 },
      idleTimeoutMs: 30_000,
      totalTimeoutMs: 600_000,
      breaker: { failureThreshold: 5, halfOpenAfterMs: 30_000 },
      hedging: { enabled: false },
    });
    expect(config.quota).toEqual({ tokenMargin: 1.15, defaultMaxWaitMs: 30_000, interactiveReserve: 0.1 });
  });

  it('fills defaults inside a partly written section', () => {
    const config = parseConfig(
      lines('cache:', '  memory: { maxEntries: 5 }', 'resilience:', '  firstTokenTimeoutMs: { max: 9000 }'),
      { env: {} },
    );
    expect(config.cache.memory).toEqual({ maxEntries: 5, maxBytes: 64 * 1024 * 1024 });
    expect(config.resilience.firstTokenTimeoutMs).toEqual({ min: 2_000, max: 9_000 });
  });

  it('turns the Redis cache tier on by default when state.redis is set, and lets it be turned off', () => {
    expect(parseConfig('state: { redis: "redis://127.0.0.1:6379" }', { env: {} }).cache.redis).toBe(true);
    expect(parseConfig('state: { redis: "redis://h:6379" }\ncache: { redis: false }', { env: {} }).cache.redis).toBe(
      false,
    );
  });

  it('accepts sqlitePath: null to turn the disk tier off', () => {
    expect(parseConfig('cache: { sqlitePath: null }', { env: {} }).cache.sqlitePath).toBeNull();
  });
});

describe('providers', () => {
  it('reads the contract example: a catalog provider and a custom one with limits at both levels', () => {
    const config = parseConfig(
      lines(
        'providers:',
        '  - id: groq',
        '    apiKey: ${GROQ_API_KEY}',
        '  - id: local-a',
        '    baseUrl: http://127.0.0.1:9101/v1',
        '    apiKey: sk-local',
        '    limits:',
        '      - { requests: 20, per: minute }',
        '      - { requests: 50, per: day }',
        '    models:',
        '      - id: llama-3.3-70b',
        '        upstreamId: llama-3.3-70b-versatile',
        '        contextWindow: 131072',
        '        maxOutputTokens: 8192',
        '        params: 70',
        '        tags: [code, tools, json, vision, reasoning]',
        '        limits:',
        '          - { requests: 30, per: minute }',
        '          - { tokens: 6000, per: minute }',
        '      - id: small',
      ),
      { env: { GROQ_API_KEY: 'gsk_test_value' } },
    );
    const [groq, local] = config.providers;
    expect(groq).toEqual({ id: 'groq', apiKeys: ['gsk_test_value'], enabled: true });
    expect(local?.baseUrl).toBe('http://127.0.0.1:9101/v1');
    expect(local?.dialect).toBeUndefined();
    expect(local?.limits).toEqual([
      { unit: 'requests', amount: 20, windowMs: MINUTE },
      { unit: 'requests', amount: 50, windowMs: DAY, calendar: 'day' },
    ]);
    expect(local?.models?.[0]).toEqual({
      id: 'llama-3.3-70b',
      upstreamId: 'llama-3.3-70b-versatile',
      contextWindow: 131072,
      maxOutputTokens: 8192,
      params: 70,
      tags: ['code', 'tools', 'json', 'vision', 'reasoning'],
      limits: [
        { unit: 'requests', amount: 30, windowMs: MINUTE },
        { unit: 'tokens', amount: 6000, windowMs: MINUTE },
      ],
    });
    expect(local?.models?.[1]).toEqual({ id: 'small', upstreamId: 'small', tags: [], limits: [] });
    expect(customProviderDefaults).toEqual({ dialect: 'openai', scope: 'key' });
  });

  it('keeps tags outside the known list as labels instead of failing the config', () => {
    const [provider] = parseConfig(
      lines('providers:', '  - id: local-a', '    baseUrl: http://127.0.0.1:9101/v1', '    models:', '      - id: m', '        tags: [tools, eu-hosted, team:search, poetry]'),
      { env: {} },
    ).providers;
    expect(provider?.models?.[0]?.tags).toEqual(['tools', 'eu-hosted', 'team:search', 'poetry']);
  });

  it('keeps dialect, scope, quirks and headers of a custom provider', () => {
    const [provider] = parseConfig(
      lines(
        'providers:',
        '  - id: cf',
        '    baseUrl: https://example.test/v1',
        '    apiKeys: [a-key, b-key]',
        '    dialect: cloudflare',
        '    scope: account',
        '    quirks: { dropParams: [logprobs], maxTokensParam: max_completion_tokens }',
        '    headers: { x-team: platform }',
      ),
      { env: {} },
    ).providers;
    expect(provider).toEqual({
      id: 'cf',
      baseUrl: 'https://example.test/v1',
      apiKeys: ['a-key', 'b-key'],
      enabled: true,
      dialect: 'cloudflare',
      scope: 'account',
      quirks: { dropParams: ['logprobs'], maxTokensParam: 'max_completion_tokens' },
      headers: { 'x-team': 'platform' },
    });
  });

  it('disables a provider whose keys all resolve empty, and keeps a keyless one enabled', () => {
    const config = parseConfig(
      lines(
        'providers:',
        '  - id: groq',
        '    apiKey: ${GROQ_API_KEY:-}',
        '  - id: gemini',
        '    apiKeys: ["${A:-}", "${B:-}"]',
        '  - id: local',
        '    baseUrl: http://127.0.0.1:1/v1',
      ),
      { env: { B: 'second-key' } },
    );
    expect(config.providers.map((provider) => [provider.id, provider.enabled, provider.apiKeys])).toEqual([
      ['groq', false, []],
      ['gemini', true, ['second-key']],
      ['local', true, []],
    ]);
  });

  it('with the catalog ids given, rejects an unknown id that has no baseUrl', () => {
    const text = lines('providers:', '  - id: groq', '    apiKey: k', '  - id: grok', '    apiKey: k');
    expect(parseConfig(text, { env: {}, catalogProviderIds: ['groq', 'grok'] }).providers).toHaveLength(2);
    let caught: unknown;
    try {
      parseConfig(text, { env: {}, fileName: 'freeway.yaml', catalogProviderIds: ['groq'] });
    } catch (error) {
      caught = error;
    }
    expect((caught as ConfigError).message).toBe(
      'freeway.yaml:4: providers[1].id: "grok" is not a catalog provider; a custom provider needs baseUrl (and its models)',
    );
  });
});

describe('routing', () => {
  it('keeps exactly the aliases, allow, deny and preferences written', () => {
    const config = parseConfig(
      lines(
        'routing:',
        '  aliases: { my-chat: [a, b] }',
        '  allow: [a, b]',
        '  deny: [c]',
        '  preferences: { my-chat: order, "auto:fast": latency }',
      ),
      { env: {} },
    );
    expect(config.routing).toEqual({
      aliases: { 'my-chat': ['a', 'b'] },
      allow: ['a', 'b'],
      deny: ['c'],
      preferences: { 'my-chat': 'order', 'auto:fast': 'latency' },
    });
  });

  it('rejects an unknown preference', () => {
    expect(configErrorOf(lines('routing:', '  preferences: { x: cheapest }')).message).toBe(
      'freeway.yaml:2: routing.preferences.x: expected one of latency, quality, headroom, order',
    );
  });
});

describe('environment interpolation', () => {
  it('replaces ${VAR} anywhere in a string, and uses defaults when unset or empty', () => {
    const config = parseConfig(
      lines(
        'server:',
        '  host: ${HOST:-127.0.0.1}',
        '  port: ${PORT}',
        '  apiKeys: ["pre-${KEY}-post", "${EMPTY:-fallback}", "$${LITERAL}"]',
        'state:',
        '  redis: redis://${REDIS_HOST:-localhost}:6379',
      ),
      { env: { PORT: '9999', KEY: 'abc', EMPTY: '' } },
    );
    expect(config.server.host).toBe('127.0.0.1');
    expect(config.server.port).toBe(9999);
    expect(config.server.apiKeys).toEqual(['pre-abc-post', 'fallback', '${LITERAL}']);
    expect(config.state.redis).toBe('redis://localhost:6379');
  });

  it('reads booleans and numbers that came through a variable', () => {
    const config = parseConfig(
      lines('resilience:', '  hedging: { enabled: "${HEDGE}" }', '  retryBudgetRatio: ${RATIO}'),
      { env: { HEDGE: 'true', RATIO: '0.5' } },
    );
    expect(config.resilience.hedging.enabled).toBe(true);
    expect(config.resilience.retryBudgetRatio).toBe(0.5);
  });

  it('names an unset variable and its line', () => {
    const error = configErrorOf(
      lines('server:', '  port: 8787', 'providers:', '  - id: groq', '    apiKey: ${GROQ_API_KEY}'),
    );
    expect(error.message).toBe(
      'freeway.yaml:5: providers[0].apiKey: environment variable GROQ_API_KEY is not set (write ${GROQ_API_KEY:-default} to give a fallback)',
    );
    expect(error.line).toBe(5);
    expect(error.field).toBe('providers[0].apiKey');
  });

  it('lists every unset variable', () => {
    const error = configErrorOf(lines('server:', '  host: ${A}', '  apiKeys: [x, "${B}"]'));
    expect(error.issues.map((issue) => [issue.line, issue.field])).toEqual([
      [2, 'server.host'],
      [3, 'server.apiKeys[1]'],
    ]);
    expect(error.describeAll()).toContain('variable B is not set');
  });

  it('rejects malformed references', () => {
    expect(configErrorOf('server: { host: "${1BAD}" }').message).toContain('is not a valid variable reference');
    expect(configErrorOf('server: { host: "${OPEN" }').message).toContain('unterminated');
  });

  it('leaves keys alone', () => {
    const config = parseConfig(lines('routing:', '  aliases: { "${NOT_A_VAR}": [a] }'), { env: {} });
    expect(config.routing.aliases).toEqual({ '${NOT_A_VAR}': ['a'] });
  });
});

describe('files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'freeway-config-'));

  it('loads YAML and JSON files and names the file in errors', () => {
    const yamlPath = join(directory, 'a.yaml');
    writeFileSync(yamlPath, 'server:\n  port: 9000\n');
    expect(loadConfigFile(yamlPath, {}).server.port).toBe(9000);
    const jsonPath = join(directory, 'a.json');
    writeFileSync(
      jsonPath,
      JSON.stringify({ server: { port: 9001 }, providers: [{ id: 'x', apiKey: '${K}' }] }, null, 2),
    );
    expect(loadConfigFile(jsonPath, { K: 'v' }).providers[0]?.apiKeys).toEqual(['v']);
    expect(() => loadConfigFile(jsonPath, {})).toThrow(
      `${jsonPath}:8: providers[0].apiKey: environment variable K is not set`,
    );
  });

  it('reports a missing file', () => {
    expect(() => loadConfigFile(join(directory, 'nope.yaml'), {})).toThrow(/nope\.yaml: file not found/);
  });

  it('parses freeway.example.yaml with its variables set', () => {
    const config = loadConfigFile(examplePath, { FREEWAY_API_KEY: 'client-key', GROQ_API_KEY: 'gsk_example' });
    expect(config.server.apiKeys).toEqual(['client-key']);
    expect(config.state.redis).toBe('redis://127.0.0.1:6379');
    expect(config.cache.redis).toBe(true);
    const byId = new Map(config.providers.map((provider) => [provider.id, provider]));
    expect(byId.get('groq')).toEqual({ id: 'groq', apiKeys: ['gsk_example'], enabled: true });
    expect(byId.get('google-ai-studio')?.enabled).toBe(false);
    expect(byId.get('cerebras')).toEqual({
      id: 'cerebras',
      apiKeys: [],
      enabled: false,
      limits: [
        { unit: 'requests', amount: 30, windowMs: MINUTE },
        { unit: 'tokens', amount: 1_000_000, windowMs: DAY, calendar: 'day' },
      ],
    });
    const local = byId.get('local-a');
    expect(local?.dialect).toBe('openai');
    expect(local?.limits?.[2]).toEqual({
      unit: 'tokens',
      amount: 1_000_000,
      windowMs: 30 * DAY,
      calendar: 'month',
      timeZone: 'America/Los_Angeles',
    });
    expect(local?.models?.map((model) => model.id)).toEqual(['llama-3.3-70b', 'nomic-embed-text']);
    expect(local?.models?.[0]?.limits[2]).toEqual({ unit: 'requests', amount: 5, windowMs: 10 * SECOND });
    expect(config.routing.aliases).toEqual({ 'my-chat': ['llama-3.3-70b', 'gemini-2.5-flash'] });
    expect(config.routing.preferences).toEqual({ 'my-chat': 'order', 'auto:fast': 'latency' });
  });

  it('fails on the example file without FREEWAY_API_KEY, naming the variable and line', () => {
    expect(() => loadConfigFile(examplePath, { GROQ_API_KEY: 'x' })).toThrow(
      /freeway\.example\.yaml:12: server\.apiKeys\[0\]: environment variable FREEWAY_API_KEY is not set/,
    );
  });
});
