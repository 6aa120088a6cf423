/** A deployment pointing at a loopback server, with a key that tests can look for in error text. */
import type { Deployment } from '../../../src/core/deployment.js';

export const TEST_API_KEY = 'sk-test-secret-0123456789abcdef';

export function testDeployment(baseUrl: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id: 'test/model-a',
    providerId: 'test',
    keyLabel: 'key1',
    baseUrl,
    apiKey: TEST_API_KEY,
    dialect: 'openai',
    model: { id: 'model-a', upstreamId: 'up-model-a', tags: [] },
    scopeKey: 'test:key1',
    modelScopeKey: 'test:key1:model-a',
    scopeLimits: [],
    modelLimits: [],
    quirks: {},
    ...overrides,
  };
}
