import { describe, expect, it } from 'vitest';
import { isLoopbackHost, parseConfig } from '../../src/config/index.js';
import { configErrorOf, lines } from './config-test-helpers.js';

const customProvider = lines(
  'server:',
  '  port: 8787',
  'providers:',
  '  - id: groq',
  '    apiKey: gsk_first',
  '  - id: local-a',
  '    baseUrl: http://127.0.0.1:9101/v1',
  '    apiKey: sk-local',
  '    limits:',
  '      - { requests: 20, per: minute }',
  '      - { requests: 50, per: PER }',
  '    models:',
  '      - id: llama',
  '        limits:',
  '          - requests: 30',
  '            per: PER',
);

describe('line numbers', () => {
  it('points a bad provider limit at its line (the example format)', () => {
    const error = configErrorOf(
      customProvider.replace('per: PER }', 'per: fortnight }').replace('per: PER', 'per: minute'),
    );
    expect(error.message).toBe(
      'freeway.yaml:11: providers[1].limits[1].per: expected second, minute, hour, day, month or a duration like 500ms, 90s, 2m, 1h (a bare number counts seconds)',
    );
    expect(error.field).toBe('providers[1].limits[1].per');
    expect(error.line).toBe(11);
  });

  it('points a bad model limit in block style at the line of its key', () => {
    const error = configErrorOf(
      customProvider.replace('per: PER }', 'per: day }').replace('per: PER', 'per: 5 parsecs'),
    );
    expect([error.line, error.field]).toEqual([16, 'providers[1].models[0].limits[0].per']);
  });

  it('gives the same lines for JSON input', () => {
    const json = JSON.stringify(
      {
        server: { port: 8787 },
        providers: [
          { id: 'groq', apiKey: 'gsk_first' },
          {
            id: 'local-a',
            baseUrl: 'http://127.0.0.1:9101/v1',
            limits: [
              { requests: 20, per: 'minute' },
              { requests: 5, per: 'week' },
            ],
          },
        ],
      },
      null,
      2,
    );
    const error = configErrorOf(json, {}, 'freeway.json');
    const expectedLine = json.split('\n').findIndex((line) => line.includes('"week"')) + 1;
    expect(error.message).toMatch(
      new RegExp(`^freeway\\.json:${expectedLine}: providers\\[1\\]\\.limits\\[1\\]\\.per: expected second`),
    );
  });

  it('reports a missing required field at its parent', () => {
    const error = configErrorOf(lines('providers:', '  - id: a', '    models:', '      - tags: [code]'));
    expect(error.message).toBe('freeway.yaml:4: providers[0].models[0].id: is required');
  });

  it('reports a wrong type', () => {
    expect(configErrorOf(lines('server:', '  host: 127.0.0.1', '  port: eighty')).message).toBe(
      'freeway.yaml:3: server.port: expected a number',
    );
    expect(configErrorOf(lines('providers:', '  id: groq')).message).toBe('freeway.yaml:1: providers: expected a list');
    expect(configErrorOf(lines('server:', '  port: 70000')).message).toBe(
      'freeway.yaml:2: server.port: expected a port between 0 and 65535',
    );
  });

  it('reports YAML syntax errors with their line and without quoting the text', () => {
    const error = configErrorOf(
      lines('server:', '  port: 1', 'providers:', '  - id: a', '    apiKey: sk-abcdef: secret-tail'),
    );
    expect(error.line).toBe(5);
    expect(error.message).toMatch(/^freeway\.yaml:5: not valid YAML or JSON: /);
    expect(error.message).not.toContain('secret-tail');
    expect(configErrorOf('{"server": {"port": 1,}', {}, 'freeway.json').message).toMatch(
      /^freeway\.json:1: not valid YAML or JSON/,
    );
  });

  it('rejects duplicate keys and a top level that is not a mapping', () => {
    expect(configErrorOf(lines('server:', '  port: 1', '  port: 2')).line).toBe(3);
    expect(configErrorOf(lines('- a', '- b')).message).toBe(
      'freeway.yaml:1: expected a mapping of sections (server, providers, …) at the top level',
    );
  });
});

describe('strictness', () => {
  it.each([
    [lines('servr:', '  port: 1'), 'freeway.yaml:1: servr: unknown key (did you mean "server"?)'],
    [
      lines('server:', '  port: 1', '  hots: 0.0.0.0'),
      'freeway.yaml:3: server.hots: unknown key (did you mean "host"?)',
    ],
    [
      lines('providers:', '  - id: a', '    apikey: x'),
      'freeway.yaml:3: providers[0].apikey: unknown key (did you mean "apiKey"?)',
    ],
    [
      lines('providers:', '  - id: a', '    limits:', '      - { requests: 1, per: day, timezone: UTC }'),
      'freeway.yaml:4: providers[0].limits[0].timezone: unknown key',
    ],
    [
      lines('cache:', '  ttlSeconds: { completions: 5 }'),
      'freeway.yaml:2: cache.ttlSeconds.completions: unknown key (did you mean "completion"?)',
    ],
    [lines('routing:', '  rules: []'), 'freeway.yaml:2: routing.rules: unknown key'],
  ])('names the unknown key and its line: %#', (text, message) => {
    expect(configErrorOf(text).message).toBe(message);
  });
});

describe('rules', () => {
  it('rejects a limit with both or neither unit, and bad amounts', () => {
    expect(
      configErrorOf(lines('providers:', '  - id: a', '    limits: [{ requests: 1, tokens: 2, per: day }]')).message,
    ).toBe('freeway.yaml:3: providers[0].limits[0].tokens: a limit has exactly one of requests or tokens');
    expect(configErrorOf(lines('providers:', '  - id: a', '    limits: [{ per: day }]')).field).toBe(
      'providers[0].limits[0].requests',
    );
    expect(
      configErrorOf(lines('providers:', '  - id: a', '    limits: [{ requests: -3, per: day }]')).message,
    ).toContain('expected a positive whole number');
    expect(configErrorOf(lines('providers:', '  - id: a', '    limits: [{ requests: 3 }]')).message).toBe(
      'freeway.yaml:3: providers[0].limits[0].per: is required',
    );
  });

  it.each(['second', 'minute', 'hour', 'day', 'month', '500ms', '90s', '2m', '1h', '1d', '45'])(
    'accepts per: %s',
    (per) => {
      const config = parseConfig(lines('providers:', '  - id: a', `    limits: [{ requests: 1, per: ${per} }]`), {
        env: {},
      });
      expect(config.providers[0]?.limits?.[0]?.windowMs).toBeGreaterThan(0);
    },
  );

  it.each(['fortnight', '0s', '-1', '10 s', 'weekly', '""'])('rejects per: %s', (per) => {
    expect(configErrorOf(lines('providers:', '  - id: a', `    limits: [{ requests: 1, per: ${per} }]`)).field).toBe(
      'providers[0].limits[0].per',
    );
  });

  it('validates resetTimeZone with Intl', () => {
    const text = (zone: string, per = 'day') =>
      lines('providers:', '  - id: a', `    limits: [{ tokens: 9, per: ${per}, resetTimeZone: ${zone} }]`);
    expect(parseConfig(text('Europe/Paris'), { env: {} }).providers[0]?.limits?.[0]?.timeZone).toBe('Europe/Paris');
    expect(configErrorOf(text('Mars/Base')).field).toBe('providers[0].limits[0].resetTimeZone');
    expect(configErrorOf(text('UTC', 'minute')).message).toContain('only day and month limits reset on the calendar');
  });

  it('rejects duplicate provider ids at the second one', () => {
    expect(
      configErrorOf(lines('providers:', '  - id: groq', '    apiKey: a', '  - id: groq', '    apiKey: b')).message,
    ).toBe('freeway.yaml:4: providers[1].id: provider id "groq" is used twice; give each entry its own id');
  });

  it('rejects duplicate model ids within a provider, apiKey with apiKeys, and ids with a slash', () => {
    expect(configErrorOf(lines('providers:', '  - id: a', '    models: [{ id: m }, { id: m }]')).field).toBe(
      'providers[0].models[1].id',
    );
    expect(configErrorOf(lines('providers:', '  - id: a', '    apiKey: x', '    apiKeys: [y]')).message).toContain(
      'either apiKey or apiKeys',
    );
    expect(configErrorOf(lines('providers:', '  - id: a/b')).field).toBe('providers[0].id');
  });

  it('checks enums: dialect, scope, tag spelling, cache mode, quirks', () => {
    const provider = (field: string) => lines('providers:', '  - id: a', `    ${field}`);
    expect(configErrorOf(provider('dialect: azure')).message).toBe(
      'freeway.yaml:3: providers[0].dialect: expected one of openai, groq, cerebras, openrouter, gemini, mistral, cloudflare, together, anthropic, ietf, none',
    );
    expect(configErrorOf(provider('scope: team')).field).toBe('providers[0].scope');
    // Unknown tags are labels; a near miss of a known tag would silently lose the capability, so it is refused.
    const typo = configErrorOf(provider('models: [{ id: m, tags: [code, tool] }]'));
    expect(typo.field).toBe('providers[0].models[0].tags[1]');
    expect(typo.message).toContain('did you mean "tools"');
    expect(configErrorOf(provider('models: [{ id: m, tags: [Vision] }]')).message).toContain('did you mean "vision"');
    expect(configErrorOf(provider('models: [{ id: m, tags: ["EU hosted"] }]')).field).toBe('providers[0].models[0].tags[0]');
    expect(configErrorOf(provider('quirks: { maxTokensParam: max_output }')).field).toBe(
      'providers[0].quirks.maxTokensParam',
    );
    expect(configErrorOf(provider('baseUrl: ftp://example.test')).message).toContain('expected an http(s) URL');
    expect(configErrorOf('cache: { mode: sometimes }').field).toBe('cache.mode');
  });

  it('checks ranges across fields', () => {
    expect(configErrorOf(lines('resilience:', '  firstTokenTimeoutMs: { min: 5000, max: 100 }')).field).toBe(
      'resilience.firstTokenTimeoutMs.min',
    );
    expect(configErrorOf('resilience: { retryBudgetRatio: 2 }').field).toBe('resilience.retryBudgetRatio');
    expect(configErrorOf('quota: { tokenMargin: 0.5 }').field).toBe('quota.tokenMargin');
    expect(configErrorOf('cache: { redis: true }').message).toContain('needs state.redis');
    expect(configErrorOf('state: { redis: "http://x" }').field).toBe('state.redis');
  });
});

describe('security', () => {
  it('refuses a non-loopback host without client keys', () => {
    const error = configErrorOf(lines('server:', '  host: 0.0.0.0'));
    expect(error.message).toMatch(
      /^freeway\.yaml:2: server\.host: binding to 0\.0\.0\.0 \(beyond loopback\) requires server\.apiKeys/,
    );
    expect(parseConfig(lines('server:', '  host: 0.0.0.0', '  apiKeys: [client-key]'), { env: {} }).server.host).toBe(
      '0.0.0.0',
    );
  });

  it.each(['127.0.0.1', '::1', 'localhost', 'LOCALHOST', '[::1]'])('allows loopback host %s without keys', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
    expect(parseConfig(`server: { host: "${host}" }`, { env: {} }).server.apiKeys).toEqual([]);
  });

  it.each(['0.0.0.0', '::', '192.168.1.2', 'example.com'])('treats %s as exposed', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('rejects an empty client key, such as an unset variable with an empty default', () => {
    const error = configErrorOf(lines('server:', '  host: 0.0.0.0', '  apiKeys: ["${FREEWAY_API_KEY:-}"]'));
    expect(error.message).toMatch(/^freeway\.yaml:3: server\.apiKeys\[0\]: is empty/);
  });

  it('never prints a key in an error, whatever is wrong around it', () => {
    const secret = 'sk-live-0123456789abcdef';
    const texts = [
      lines('providers:', '  - id: a', `    apiKey: ${secret}`, '    limits: [{ requests: 1, per: never }]'),
      lines('providers:', '  - id: a', `    apiKey: [${secret}]`),
      lines('providers:', '  - id: a', `    apiKeys: ${secret}`),
      lines('providers:', '  - id: a', `    apiKey: { ${secret}: 1 }`),
      lines('providers:', '  - id: a', `    apiKey: ${secret}`, `    baseUrl: ${secret}`),
      lines('providers:', '  - id: a', `    headers: { authorization: [${secret}] }`),
      lines('server:', `  apiKeys: ${secret}`),
      lines('server:', `  host: 0.0.0.0`, `  apiKeys: [${secret}, ""]`),
      lines('state:', `  redis: ${secret}`),
      lines('providers:', '  - id: a', `    apiKey: "${secret}`),
      lines('providers:', `  - id: a`, `    apiKey: "\${SECRET}"`, `    dialect: \${SECRET}`),
      lines('providers:', `  - id: a`, `    ${secret}: true`),
    ];
    for (const text of texts) {
      const error = configErrorOf(text, { SECRET: secret });
      expect(error.describeAll()).not.toContain(secret);
      expect(error.describeAll()).not.toContain(secret.slice(3));
    }
  });
});
