import { describe, expect, it } from 'vitest';
import {
  canonicalIdFor,
  displayNameFor,
  findCatalogProvider,
  loadCatalog,
  multiProviderPools,
  resolveProviderBaseUrl,
} from '../../src/catalog/index.js';
import { paramsFromName } from '../../src/catalog/canonical-id.js';
import { buildCatalog } from '../../src/catalog/load-catalog.js';
import { freeProviders } from '../../src/catalog/data/free-providers.js';
import { displayNameFixes } from '../../src/catalog/data/display-name-fixes.js';
import { upstreamDisplayNames } from '../../src/catalog/data/upstream-display-names.js';
import { dialects } from '../../src/core/deployment.js';
import { DAY, MINUTE } from '../../src/core/limits.js';

const catalog = loadCatalog();
const provider = (id: string) => {
  const found = findCatalogProvider(id);
  if (!found) throw new Error(`no provider ${id}`);
  return found;
};

describe('the built-in catalog', () => {
  it('validates and holds every free and trial-credit provider of the facts file', () => {
    const free = catalog.providers.filter((p) => p.category === 'free');
    const trial = catalog.providers.filter((p) => p.category === 'trial');
    expect(free.length).toBeGreaterThanOrEqual(13);
    expect(trial.length).toBe(13);
    for (const p of catalog.providers) {
      expect(dialects).toContain(p.dialect);
      expect(p.keyEnvVars.length).toBeGreaterThan(0);
      expect(p.limitScopeSource.source).not.toBe('');
      for (const limit of [...p.limits, ...p.models.flatMap((m) => m.limits)]) {
        expect(limit.source, `${p.id} limit source`).not.toBe('');
        expect(limit.asOf).toMatch(/^\d{4}-\d{2}/);
      }
    }
    expect(loadCatalog()).toBe(catalog);
  });

  it('gives every model a canonical id and counts them truthfully', () => {
    const models = catalog.providers.flatMap((p) => p.models);
    for (const model of models) expect(model.id).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
    // The facts file lists 115 models with upstream ids (plus 41 names without one); the issue hoped for 250.
    expect(models.length).toBe(115);
    expect(new Set(models.map((m) => m.id)).size).toBe(95);
    const unlisted = catalog.providers.flatMap((p) => p.unlistedModels);
    expect(unlisted.length).toBe(41);
  });

  it('lists every pool served by two or more providers', () => {
    const pools = Object.fromEntries(multiProviderPools(catalog));
    expect(pools).toEqual({
      'gemma-3-27b': ['google-ai-studio', 'scaleway'],
      'gemma-4-26b-a4b': ['openrouter', 'cloudflare-workers-ai', 'scaleway'],
      'gemma-4-31b': ['openrouter', 'sambanova'],
      'glm-5.2': ['cloudflare-workers-ai', 'scaleway'],
      'gpt-oss-120b': ['cerebras', 'groq', 'cloudflare-workers-ai', 'sambanova', 'scaleway'],
      'gpt-oss-20b': ['openrouter', 'groq', 'cloudflare-workers-ai'],
      'llama-3.1-8b': ['groq', 'cloudflare-workers-ai'],
      'llama-3.2-3b': ['openrouter', 'cloudflare-workers-ai'],
      'llama-3.3-70b': ['openrouter', 'groq', 'cloudflare-workers-ai', 'hyperbolic', 'sambanova', 'scaleway'],
      'qwen3-coder-480b-a35b': ['openrouter', 'hyperbolic'],
      'whisper-large-v3': ['groq', 'scaleway'],
    });
  });

  it('turns day limits into calendar limits only where the provider resets on the calendar', () => {
    const flash = provider('google-ai-studio').models.find((m) => m.upstreamId === 'gemini-2.5-flash');
    expect(flash?.limits).toContainEqual(
      expect.objectContaining({
        unit: 'requests',
        amount: 20,
        windowMs: DAY,
        calendar: 'day',
        timeZone: 'America/Los_Angeles',
      }),
    );
    expect(provider('openrouter').limits).toContainEqual(
      expect.objectContaining({ amount: 50, calendar: 'day', timeZone: 'UTC' }),
    );
    const groqLlama = provider('groq').models.find((m) => m.id === 'llama-3.3-70b');
    const daily = groqLlama?.limits.find((l) => l.windowMs === DAY && l.unit === 'requests');
    expect(daily).toMatchObject({ amount: 1000 });
    expect(daily?.calendar).toBeUndefined();
    expect(groqLlama?.limits).toContainEqual(
      expect.objectContaining({ unit: 'tokens', amount: 12_000, windowMs: MINUTE }),
    );
  });

  it('records scope, neurons and credits as separate typed facts', () => {
    expect(provider('google-ai-studio')).toMatchObject({
      limitScope: 'project',
      limitsPerModel: true,
      dialect: 'gemini',
    });
    expect(provider('openrouter')).toMatchObject({
      limitScope: 'account',
      limitsPerModel: false,
      dialect: 'openrouter',
    });
    expect(provider('groq')).toMatchObject({ limitScope: 'organization', dialect: 'groq' });
    const cloudflare = provider('cloudflare-workers-ai');
    expect(cloudflare.neuronsPerDay?.amount).toBe(10_000);
    expect(cloudflare.extraEnvVars).toEqual(['CLOUDFLARE_ACCOUNT_ID']);
    expect(provider('modal').credits.map((c) => c.usd)).toEqual([5, 30]);
    expect(provider('scaleway').credits[0]).toMatchObject({ tokens: 1_000_000, period: 'once' });
    expect(provider('github-models').status).toBe('retired');
  });

  it('fills the Cloudflare account id from the environment and names what is missing', () => {
    expect(resolveProviderBaseUrl(provider('cloudflare-workers-ai'), { CLOUDFLARE_ACCOUNT_ID: 'abc123' })).toBe(
      'https://api.cloudflare.com/client/v4/accounts/abc123/ai/v1',
    );
    expect(() => resolveProviderBaseUrl(provider('cloudflare-workers-ai'), {})).toThrow(/CLOUDFLARE_ACCOUNT_ID/);
    expect(resolveProviderBaseUrl(provider('google-ai-studio'), {})).toBe(
      'https://generativelanguage.googleapis.com/v1beta/openai',
    );
    expect(resolveProviderBaseUrl(provider('cohere'), {})).toBe('https://api.cohere.ai/compatibility/v1');
    expect(resolveProviderBaseUrl(provider('nebius'), {})).toBeUndefined();
  });

  it('rejects invalid data at load', () => {
    const broken = { ...freeProviders[0], dialect: 'smoke-signals' } as unknown as (typeof freeProviders)[number];
    expect(() => buildCatalog([broken])).toThrow(/openrouter is invalid/);
    expect(() => buildCatalog([freeProviders[0]!, freeProviders[0]!])).toThrow(/appears twice/);
  });

  it('leaves unknown capability facts undefined', () => {
    const models = catalog.providers.flatMap((p) => p.models);
    expect(models.filter((m) => m.contextWindow !== undefined)).toEqual([]);
    expect(provider('groq').models.find((m) => m.upstreamId === 'groq/compound')?.params).toBeUndefined();
  });
});

describe('names and canonical ids', () => {
  it('keeps the 263-entry mapping with its typos fixed', () => {
    expect(Object.keys(upstreamDisplayNames)).toHaveLength(263);
    expect(displayNameFor('@cf/tiiuae/falcon-7b-instruct')).toBe('Falcon 7B Instruct');
    expect(displayNameFor('MAMBA-CODESTRAL-7B-V0.1')).toBe('Codestral Mamba 7B v0.1');
    expect(displayNameFixes.length).toBeGreaterThan(10);
    const canonical = new Set(Object.values(upstreamDisplayNames).map(canonicalIdFor));
    expect(canonical.size).toBe(153);
  });

  it('gives one id to one set of weights across providers', () => {
    expect(canonicalIdFor('Llama 3.3 70B')).toBe('llama-3.3-70b');
    expect(canonicalIdFor('Llama 3.3 70B Instruct (FP8)')).toBe('llama-3.3-70b');
    expect(canonicalIdFor('Qwen 2.5 Coder 32B Instruct')).toBe(canonicalIdFor('Qwen2.5 Coder 32B Instruct'));
    expect(canonicalIdFor('DeepSeek R1 Distill Qwen 32B')).toBe('deepseek-r1-distill-qwen-32b');
    expect(canonicalIdFor('Command R+ 08-2024')).not.toBe(canonicalIdFor('Command R 08-2024'));
    expect(canonicalIdFor('@cf/some-lab/new-model-9b-instruct-fp8')).toBe('new-model-9b');
    expect(canonicalIdFor('Llama 3.1 405B Base')).not.toBe(canonicalIdFor('Llama 3.1 405B Instruct'));
  });

  it('reads parameters only from what the name states', () => {
    expect(paramsFromName('Gemma 4 26B A4B Instruct')).toBe(26);
    expect(paramsFromName('Qwen1.5 0.5B Chat')).toBe(0.5);
    expect(paramsFromName('Mixtral 8x7B Instruct')).toBeUndefined();
    expect(paramsFromName('Llama 4 Scout 17B 16E Instruct')).toBeUndefined();
    expect(paramsFromName('Command A 03-2025')).toBeUndefined();
  });
});
