import { describe, expect, it } from 'vitest';
import { ConfigError, parseDurationMs, parseLimitSpec } from '../../src/config/index.js';
import { DAY, HOUR, MINUTE, MONTH, SECOND } from '../../src/core/limits.js';

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90 * SECOND],
    ['2m', 2 * MINUTE],
    ['1h', HOUR],
    ['1d', DAY],
    ['1h30m', 90 * MINUTE],
    ['1.5s', 1500],
    [' 10s ', 10 * SECOND],
  ])('%s → %d ms', (text, expected) => {
    expect(parseDurationMs(text)).toBe(expected);
  });

  it.each(['', '0s', '10', 's', '10 s', '10x', '-5s', '1h-30m', 'minute', '5 minutes'])('rejects %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(ConfigError);
  });
});

describe('parseLimitSpec', () => {
  it.each([
    ['second', SECOND, undefined],
    ['minute', MINUTE, undefined],
    ['hour', HOUR, undefined],
    ['day', DAY, 'day'],
    ['month', MONTH, 'month'],
    ['Minute', MINUTE, undefined],
    ['500ms', 500, undefined],
    ['90s', 90 * SECOND, undefined],
    ['2m', 2 * MINUTE, undefined],
    ['1h', HOUR, undefined],
    ['1d', DAY, undefined],
  ])('per %s', (per, windowMs, calendar) => {
    const limit = parseLimitSpec({ requests: 30, per });
    expect(limit).toEqual({ unit: 'requests', amount: 30, windowMs, ...(calendar === undefined ? {} : { calendar }) });
  });

  it('reads a bare number as seconds', () => {
    expect(parseLimitSpec({ tokens: 6000, per: 60 })).toEqual({ unit: 'tokens', amount: 6000, windowMs: MINUTE });
  });

  it('keeps a reset time zone on calendar limits', () => {
    expect(parseLimitSpec({ requests: 50, per: 'day', resetTimeZone: 'America/Los_Angeles' })).toEqual({
      unit: 'requests',
      amount: 50,
      windowMs: DAY,
      calendar: 'day',
      timeZone: 'America/Los_Angeles',
    });
  });

  const failures: [string, Parameters<typeof parseLimitSpec>[0], string][] = [
    ['neither unit', { per: 'minute' }, 'requests'],
    ['both units', { requests: 1, tokens: 1, per: 'minute' }, 'tokens'],
    ['zero', { requests: 0, per: 'minute' }, 'requests'],
    ['a fraction', { tokens: 1.5, per: 'minute' }, 'tokens'],
    ['an unknown word', { requests: 1, per: 'fortnight' }, 'per'],
    ['a prototype key', { requests: 1, per: 'constructor' }, 'per'],
    ['a zero duration', { requests: 1, per: '0s' }, 'per'],
    ['a negative number', { requests: 1, per: -1 }, 'per'],
    ['an unknown zone', { requests: 1, per: 'day', resetTimeZone: 'Mars/Olympus' }, 'resetTimeZone'],
    ['a zone on a rolling window', { requests: 1, per: 'minute', resetTimeZone: 'UTC' }, 'resetTimeZone'],
  ];
  it.each(failures)('rejects %s, naming the field', (_name, spec, field) => {
    let caught: unknown;
    try {
      parseLimitSpec(spec);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).field).toBe(field);
  });
});
