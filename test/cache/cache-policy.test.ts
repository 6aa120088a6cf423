import { describe, expect, it } from 'vitest';
import { decideCachePolicy, defaultCacheConfig, type CacheMode } from '../../src/cache/index.js';

const chat = (fields: Record<string, unknown>) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...fields });
const decide = (body: Record<string, unknown>, cacheControl?: string, mode: CacheMode = 'deterministic') =>
  decideCachePolicy(body, cacheControl === undefined ? {} : { 'cache-control': cacheControl }, { ...defaultCacheConfig, mode });

const HIT_OR_MISS = { lookup: true, store: true, status: 'miss' };
const REFRESH = { lookup: false, store: true, status: 'miss' };
const BYPASS = { lookup: false, store: false, status: 'bypass' };

describe('decideCachePolicy', () => {
  it.each([
    ['temperature 0', chat({ temperature: 0 }), HIT_OR_MISS],
    ['no temperature, a seed', chat({ seed: 42 }), HIT_OR_MISS],
    ['temperature null, a seed', chat({ temperature: null, seed: 42 }), HIT_OR_MISS],
    ['no temperature, no seed', chat({}), BYPASS],
    ['temperature 0.7', chat({ temperature: 0.7 }), BYPASS],
    ['temperature 0.7 with a seed', chat({ temperature: 0.7, seed: 42 }), BYPASS],
    ['an embedding request', { model: 'e', input: 'text' }, HIT_OR_MISS],
  ])('deterministic mode: %s', (_name, body, expected) => {
    expect(decide(body)).toEqual(expected);
  });

  it('mode all caches sampled requests too; mode off caches nothing', () => {
    expect(decide(chat({ temperature: 0.9 }), undefined, 'all')).toEqual(HIT_OR_MISS);
    expect(decide(chat({ temperature: 0 }), undefined, 'off')).toEqual(BYPASS);
    expect(decide(chat({ temperature: 0 }), 'no-cache', 'off')).toEqual(BYPASS);
  });

  it.each([
    ['no-cache', REFRESH],
    ['No-Cache', REFRESH],
    ['max-age=0', REFRESH],
    ['no-store', BYPASS],
    ['no-cache, no-store', BYPASS],
    ['max-age=600', HIT_OR_MISS],
    ['', HIT_OR_MISS],
  ])('cache-control %j on a deterministic request', (header, expected) => {
    expect(decide(chat({ temperature: 0 }), header)).toEqual(expected);
  });

  it('no-cache never makes a sampled request cacheable', () => {
    expect(decide(chat({ temperature: 1 }), 'no-cache')).toEqual(BYPASS);
  });
});
