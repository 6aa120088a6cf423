// Shared answers and config for the cache tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCacheConfig, type CacheConfig } from '../../src/cache/index.js';

export function completion(content: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1_767_225_600,
    model: 'llama-3.3-70b',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
    ...overrides,
  };
}

export const embedding = { object: 'list', model: 'e5', data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }], usage: { prompt_tokens: 1, total_tokens: 1 } };

/** A config with only the tiers a test asks for. */
export function configWith(overrides: Partial<CacheConfig> = {}): CacheConfig {
  return { ...defaultCacheConfig, sqlitePath: null, redis: false, ...overrides };
}

export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'freeway-cache-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
