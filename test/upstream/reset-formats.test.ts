import { describe, expect, it } from 'vitest';
import {
  nextMidnight,
  parseCount,
  parseDurationOrSeconds,
  parseEpochMilliseconds,
  parseFloatSeconds,
  parseGoDuration,
  parseHttpDate,
  parseIntegerSeconds,
  parseProtoDuration,
  parseRetryAfter,
  parseRetryHint,
  parseRfc3339,
} from '../../src/upstream/reset-formats.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('Go durations (OpenAI, Groq)', () => {
  it.each([
    ['1m26.4s', 86_400],
    ['577.5ms', 577.5],
    ['6m0s', 360_000],
    ['12ms', 12],
    ['2m59.56s', 179_560],
    ['7.66s', 7_660],
    ['1s', 1_000],
    ['1h2m3s', 3_723_000],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 6);
  });

  it.each(['', 'soon', '-1s', '1x', '5', '6msx', '1s2', '1s 2s', '1.5.5s', undefined])('%s is unknown', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it('plain seconds are accepted where either may appear', () => {
    expect(parseDurationOrSeconds('2m')).toBe(120_000);
    expect(parseDurationOrSeconds('20')).toBe(20_000);
    expect(parseDurationOrSeconds('-1')).toBeUndefined();
  });
});

describe('seconds', () => {
  it('float seconds (Cerebras)', () => {
    expect(parseFloatSeconds('33011.38')).toBeCloseTo(33_011_380, 3);
    expect(parseFloatSeconds('11.38')).toBeCloseTo(11_380, 6);
    expect(parseFloatSeconds('-1')).toBeUndefined();
    expect(parseFloatSeconds('')).toBeUndefined();
  });

  it('integer seconds (Mistral, Retry-After)', () => {
    expect(parseIntegerSeconds('60')).toBe(60_000);
    expect(parseIntegerSeconds('0')).toBe(0);
    expect(parseIntegerSeconds('1.5')).toBeUndefined();
    expect(parseIntegerSeconds('-3')).toBeUndefined();
  });
});

describe('absolute times', () => {
  it('HTTP-date, IMF-fixdate and the obsolete RFC 850 form', () => {
    expect(parseHttpDate('Thu, 01 Jan 2026 12:00:30 GMT')).toBe(NOW + 30_000);
    expect(parseHttpDate('Thursday, 01-Jan-26 12:00:30 GMT')).toBe(NOW + 30_000);
    expect(parseHttpDate('2026-01-01')).toBeUndefined();
  });

  it('RFC 3339 (Anthropic)', () => {
    expect(parseRfc3339('2026-01-01T12:00:30Z')).toBe(NOW + 30_000);
    expect(parseRfc3339('2026-01-01T13:00:30.500+01:00')).toBe(NOW + 30_500);
    expect(parseRfc3339('2026-01-01')).toBeUndefined();
    expect(parseRfc3339('Thu, 01 Jan 2026 12:00:30 GMT')).toBeUndefined();
  });

  it('epoch milliseconds (OpenRouter), as string or number; epoch seconds are recognised', () => {
    expect(parseEpochMilliseconds('1788220800000')).toBe(1_788_220_800_000);
    expect(parseEpochMilliseconds(1_788_220_800_000)).toBe(1_788_220_800_000);
    expect(parseEpochMilliseconds('1788220800')).toBe(1_788_220_800_000);
    expect(parseEpochMilliseconds('-1')).toBeUndefined();
    expect(parseEpochMilliseconds(0)).toBeUndefined();
    expect(parseEpochMilliseconds({})).toBeUndefined();
  });

  it('proto Duration (Gemini RetryInfo)', () => {
    expect(parseProtoDuration('26s')).toBe(26_000);
    expect(parseProtoDuration('26.550023s')).toBeCloseTo(26_550.023, 6);
    expect(parseProtoDuration('1m')).toBeUndefined();
    expect(parseProtoDuration(26)).toBeUndefined();
  });
});

describe('Retry-After', () => {
  it('delta seconds or an HTTP-date; a date in the past is unknown, not zero', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:01:00 GMT', NOW)).toBe(60_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:59:00 GMT', NOW)).toBeUndefined();
    expect(parseRetryAfter('-5', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('hints inside messages', () => {
    expect(parseRetryHint('Rate limit reached for gpt-4o … Please try again in 18.642s. Visit https://…')).toBeCloseTo(18_642, 6);
    expect(parseRetryHint('Please try again in 1m26.4s.')).toBeCloseTo(86_400, 6);
    expect(parseRetryHint('Please try again in 577ms.')).toBe(577);
    expect(parseRetryHint('Please retry in 26.550023s.')).toBeCloseTo(26_550.023, 6);
    expect(parseRetryHint('try again in 20 seconds')).toBe(20_000);
    expect(parseRetryHint('Please try again later.')).toBeUndefined();
  });
});

describe('counts', () => {
  it('negative counts (Azure -1) are unknown; zero is zero', () => {
    expect(parseCount('-1')).toBeUndefined();
    expect(parseCount('0')).toBe(0);
    expect(parseCount('14400')).toBe(14_400);
    expect(parseCount(30)).toBe(30);
    expect(parseCount('many')).toBeUndefined();
  });
});

describe('calendar resets', () => {
  it('next UTC midnight', () => {
    expect(nextMidnight(NOW)).toBe(Date.UTC(2026, 0, 2));
    expect(nextMidnight(Date.UTC(2026, 0, 31, 23, 59))).toBe(Date.UTC(2026, 1, 1));
  });

  it('next midnight Pacific, in winter (UTC-8) and summer (UTC-7)', () => {
    expect(nextMidnight(NOW, 'America/Los_Angeles')).toBe(Date.UTC(2026, 0, 2, 8));
    expect(nextMidnight(Date.UTC(2026, 6, 1, 3), 'America/Los_Angeles')).toBe(Date.UTC(2026, 6, 1, 7));
  });

  it('across a DST change the reset uses the offset at midnight', () => {
    // 2026-03-08 is the US spring-forward day: midnight that night is still PST, the next one PDT.
    expect(nextMidnight(Date.UTC(2026, 2, 8, 12), 'America/Los_Angeles')).toBe(Date.UTC(2026, 2, 9, 7));
  });
});
