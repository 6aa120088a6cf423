import { describe, expect, it } from 'vitest';
import { rateLimitHeaders } from '../../src/quota/index.js';

describe('rate-limit headers', () => {
  it('rounds the wait up to whole seconds and names the policy', () => {
    expect(rateLimitHeaders({ retryAfterMs: 1200, limit: { unit: 'tokens', amount: 6000, windowMs: 60_000 }, name: 'groq' })).toEqual({
      'Retry-After': '2',
      RateLimit: '"groq";r=0;t=2',
      'RateLimit-Policy': '"groq";q=6000;w=60',
    });
  });

  it('states a policy of nothing until the wait is over when no limit is known (parking)', () => {
    expect(rateLimitHeaders({ retryAfterMs: 45_000 })).toEqual({
      'Retry-After': '45',
      RateLimit: '"quota";r=0;t=45',
      'RateLimit-Policy': '"quota";q=0;w=45',
    });
  });
});
