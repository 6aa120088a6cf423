import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/core/deployment.js';
import { FreewayError } from '../../src/core/errors.js';
import { ManualClock } from '../../src/core/clock.js';
import { createLatencyPredictor, createRouter, type RouterHealth } from '../../src/routing/index.js';
import { makeDeployment, sampleFleet } from './make-deployment.js';
import { requestFixtures } from './request-fixtures.js';

const ask = (model: string, content = 'What should I cook tonight?', extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content }],
  ...extra,
});
const fixture = (name: string) => requestFixtures.find((f) => f.name === name)!.body;
const ids = (list: Deployment[]) => list.map((d) => d.id);

function thrown(fn: () => unknown): FreewayError {
  try {
    fn();
  } catch (error) {
    if (error instanceof FreewayError) return error;
    throw error;
  }
  throw new Error('expected a FreewayError');
}

function healthFrom(headroom: Record<string, number>, down: string[] = []): RouterHealth {
  return { isAvailable: (d) => !down.includes(d.id), headroom: (d) => headroom[d.id] ?? 1 };
}

describe('model resolution', () => {
  const router = createRouter({ deployments: sampleFleet() });

  it('resolves a canonical id to its pool on every provider', () => {
    const decision = router.resolve(ask('llama-3.3-70b'));
    expect(decision.kind).toBe('canonical');
    expect(ids(decision.candidates).sort()).toEqual(['groq/llama-3.3-70b', 'openrouter/llama-3.3-70b']);
  });

  it('resolves provider/id, provider/upstream-id and deployment ids to that provider only', () => {
    for (const name of ['groq/llama-3.3-70b', 'groq/llama-3.3-70b-versatile']) {
      const decision = router.resolve(ask(name));
      expect(decision.kind).toBe('pinned');
      expect(ids(decision.candidates)).toEqual(['groq/llama-3.3-70b']);
    }
  });

  it('names the closest ids for an unknown model', () => {
    const error = thrown(() => router.resolve(ask('llama-3.3-70')));
    expect(error.code).toBe('model_not_found');
    expect(error.status).toBe(404);
    expect(error.param).toBe('model');
    expect(error.message).toContain("'llama-3.3-70b'");
    expect(thrown(() => router.resolve(ask('gemini-2.5-flsh'))).message).toContain("'gemini-2.5-flash'");
  });

  it('asks for a model when none is given', () => {
    expect(thrown(() => router.resolve({ messages: [] })).code).toBe('invalid_request');
  });

  it('lists canonical, pinned, virtual and alias names', () => {
    const withAlias = createRouter({
      deployments: sampleFleet(),
      rules: { aliases: { fast: ['groq/llama-3.1-8b', 'cerebras/llama-3.1-8b'] } },
    });
    const listing = withAlias.listModels();
    const find = (id: string) => listing.find((m) => m.id === id);
    expect(find('auto')).toEqual({ id: 'auto', owned_by: 'freeway', kind: 'virtual' });
    expect(find('auto:code')?.kind).toBe('virtual');
    expect(find('fast')?.kind).toBe('alias');
    expect(find('llama-3.3-70b')).toEqual({ id: 'llama-3.3-70b', owned_by: 'freeway', kind: 'canonical' });
    expect(find('codestral')).toEqual({ id: 'codestral', owned_by: 'mistral', kind: 'canonical' });
    expect(find('openrouter/llama-3.3-70b')).toEqual({
      id: 'openrouter/llama-3.3-70b',
      owned_by: 'openrouter',
      kind: 'pinned',
    });
    expect(new Set(listing.map((m) => m.id)).size).toBe(listing.length);
  });
});

describe('hard constraints', () => {
  const router = createRouter({ deployments: sampleFleet() });

  it('never sends prompt + max_tokens beyond a context window', () => {
    const prompt = 'lorem ipsum dolor sit amet '.repeat(2_000); // ~10k tokens
    const decision = router.resolve(ask('llama-3.1-8b', prompt));
    expect(ids(decision.candidates)).toEqual(['groq/llama-3.1-8b']);
    const skipped = decision.explain().deployments.find((d) => d.id === 'cerebras/llama-3.1-8b');
    expect(skipped?.skipped).toMatch(/^context window 8192 < \d+ tokens needed$/);
  });

  it('counts max_tokens (clamped to the output cap) against the window', () => {
    const prompt = 'lorem ipsum dolor sit amet '.repeat(1_000); // ~5k tokens
    expect(ids(router.resolve(ask('llama-3.1-8b', prompt)).candidates)).toContain('cerebras/llama-3.1-8b');
    expect(ids(router.resolve(ask('llama-3.1-8b', prompt, { max_tokens: 4_000 })).candidates)).toEqual([
      'groq/llama-3.1-8b',
    ]);
  });

  it('answers context_length_exceeded naming the largest window on offer', () => {
    const prompt = 'lorem ipsum dolor sit amet '.repeat(40_000); // ~200k tokens
    const error = thrown(() => router.resolve(ask('llama-3.3-70b', prompt)));
    expect(error.code).toBe('context_length_exceeded');
    expect(error.status).toBe(400);
    expect(error.message).toContain('131072');
    // auto still finds the 1M window.
    expect(ids(router.resolve(ask('auto', prompt)).candidates)).toEqual(['gemini/gemini-2.5-flash']);
  });

  it('requires tools, JSON mode and vision support when the request needs them', () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    const toolDecision = router.resolve(ask('llama-3.3-70b', 'Look it up', { tools }));
    expect(ids(toolDecision.candidates).sort()).toEqual(['groq/llama-3.3-70b', 'openrouter/llama-3.3-70b']);

    const json = router.resolve(ask('llama-3.3-70b', 'Give JSON', { response_format: { type: 'json_object' } }));
    expect(ids(json.candidates)).toEqual(['groq/llama-3.3-70b']);
    expect(json.explain().deployments.find((d) => d.id === 'openrouter/llama-3.3-70b')?.skipped).toBe('no JSON mode');

    const image = {
      role: 'user',
      content: [
        { type: 'text', text: 'Describe' },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
      ],
    };
    expect(ids(router.resolve({ model: 'auto', messages: [image] }).candidates)).toEqual(['gemini/gemini-2.5-flash']);
    const noVision = thrown(() => router.resolve({ model: 'llama-3.3-70b', messages: [image] }));
    expect(noVision.code).toBe('invalid_request');
    expect(noVision.message).toContain('no vision input');
  });

  it('keeps chat off embedding models and embeddings off chat models', () => {
    const auto = router.resolve(ask('auto'));
    expect(ids(auto.candidates)).not.toContain('gemini/text-embedding-004');
    const embedding = router.resolveEmbedding({ model: 'text-embedding-004', input: 'hello' });
    expect(ids(embedding.candidates)).toEqual(['gemini/text-embedding-004']);
    expect(thrown(() => router.resolveEmbedding({ model: 'llama-3.3-70b', input: 'hello' })).message).toContain(
      'not an embedding model',
    );
  });

  it('clamps max_tokens to each deployment output cap', () => {
    const decision = router.resolve(ask('llama-3.3-70b', 'Write a long essay', { max_tokens: 10_000 }));
    const byId = new Map(decision.candidates.map((d) => [d.id, d]));
    expect(decision.maxTokensFor(byId.get('groq/llama-3.3-70b')!)).toBe(10_000);
    expect(decision.maxTokensFor(byId.get('openrouter/llama-3.3-70b')!)).toBe(4_096);
    expect(router.resolve(ask('llama-3.3-70b')).maxTokensFor(byId.get('groq/llama-3.3-70b')!)).toBeUndefined();
  });
});

describe('ranking a canonical pool', () => {
  const pool = [
    makeDeployment({ provider: 'alpha', model: 'm', params: 8 }),
    makeDeployment({ provider: 'beta', model: 'm', params: 8 }),
    makeDeployment({ provider: 'gamma', model: 'm', params: 8 }),
  ];

  it('prefers the deployment with the most quota headroom', () => {
    const router = createRouter({
      deployments: pool,
      health: healthFrom({ 'alpha/m': 0.1, 'beta/m': 0.9, 'gamma/m': 0.5 }),
    });
    expect(ids(router.resolve(ask('m')).candidates)).toEqual(['beta/m', 'gamma/m', 'alpha/m']);
  });

  it('puts unavailable deployments last and spent ones after those with room', () => {
    const router = createRouter({
      deployments: pool,
      health: healthFrom({ 'alpha/m': 1, 'beta/m': 0, 'gamma/m': 0.2 }, ['alpha/m']),
    });
    const decision = router.resolve(ask('m'));
    expect(ids(decision.candidates)).toEqual(['gamma/m', 'beta/m', 'alpha/m']);
    expect(decision.explain().deployments.find((d) => d.id === 'alpha/m')?.score?.available).toBe(false);
  });

  it('prefers lower predicted latency at equal headroom', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    const speeds: Record<string, number> = { 'alpha/m': 900, 'beta/m': 200, 'gamma/m': 500 };
    for (const [id, ttft] of Object.entries(speeds)) {
      for (let i = 0; i < 10; i++)
        predictor.observe(id, { promptTokens: 100, outputTokens: 100, ttftMs: ttft, totalMs: ttft + 1000 });
    }
    const router = createRouter({ deployments: pool, predictor });
    const decision = router.resolve(ask('m'));
    expect(ids(decision.candidates)).toEqual(['beta/m', 'gamma/m', 'alpha/m']);
    expect(decision.explain().deployments.find((d) => d.id === 'beta/m')?.score).toMatchObject({
      latency: 1,
      predictedMs: 1200,
    });
  });
});

describe('virtual models', () => {
  const router = createRouter({ deployments: sampleFleet() });
  const first = (body: Record<string, unknown>) => router.resolve(body).candidates[0]!;

  it('auto gives a yes/no label to a tiny model and a hard proof to a frontier one', () => {
    expect(first({ ...fixture('yes/no spam label'), model: 'auto' }).model.params).toBeLessThan(4);
    expect(first({ ...fixture('hard proof'), model: 'auto' }).id).toBe('openrouter/deepseek-r1');
  });

  it('auto sends mid-difficulty work to a mid-size class, never the largest', () => {
    const chosen = first({ ...fixture('small talk'), model: 'auto' });
    expect(chosen.model.params).toBe(8);
    const code = first({ ...fixture('code fix'), model: 'auto' });
    expect(code.model.params).toBeGreaterThanOrEqual(15);
    expect(code.model.params).toBeLessThan(100);
  });

  it('auto shifts to a neighbouring class when the fitting one has no quota', () => {
    const fleet = sampleFleet();
    const spent = createRouter({ deployments: fleet, health: healthFrom({ 'cloudflare/llama-3.2-1b': 0 }) });
    expect(spent.resolve({ ...fixture('yes/no spam label'), model: 'auto' }).candidates[0]!.model.params).toBe(8);
  });

  it('auto:fast picks the lowest predicted latency', () => {
    const predictor = createLatencyPredictor({ clock: new ManualClock() });
    for (const d of sampleFleet()) {
      const ttft = d.id === 'cerebras/llama-3.1-8b' ? 80 : 600;
      for (let i = 0; i < 5; i++)
        predictor.observe(d.id, { promptTokens: 50, outputTokens: 50, ttftMs: ttft, totalMs: ttft + 500 });
    }
    const fast = createRouter({ deployments: sampleFleet(), predictor });
    expect(fast.resolve(ask('auto:fast')).candidates[0]!.id).toBe('cerebras/llama-3.1-8b');
  });

  it('auto:best picks the strongest model that has quota', () => {
    expect(router.resolve(ask('auto:best')).candidates[0]!.id).toBe('openrouter/deepseek-r1');
    const spent = createRouter({ deployments: sampleFleet(), health: healthFrom({ 'openrouter/deepseek-r1': 0 }) });
    expect(spent.resolve(ask('auto:best')).candidates[0]!.model.id).toBe('llama-3.3-70b');
  });

  it('auto:code only uses code-capable models', () => {
    const decision = router.resolve({ ...fixture('code from words'), model: 'auto:code' });
    expect(decision.candidates.every((d) => d.model.tags.includes('code'))).toBe(true);
    expect(decision.explain().deployments.find((d) => d.id === 'groq/llama-3.1-8b')?.skipped).toBe('not tagged code');
    expect(decision.candidates[0]!.id).toBe('mistral/codestral');
  });
});

describe('rules', () => {
  it('resolves aliases in listed order by default, or by a preference', () => {
    const rules = {
      aliases: { fast: ['cerebras/llama-3.1-8b', 'groq/llama-3.1-8b'], smart: ['llama-3.3-70b', 'gemini-2.5-flash'] },
      preferences: { smart: 'headroom' as const },
    };
    const health = healthFrom({
      'cerebras/llama-3.1-8b': 0.2,
      'groq/llama-3.3-70b': 0.1,
      'openrouter/llama-3.3-70b': 0.2,
    });
    const router = createRouter({ deployments: sampleFleet(), rules, health });
    const fast = router.resolve(ask('fast'));
    expect(fast.kind).toBe('alias');
    expect(ids(fast.candidates)).toEqual(['cerebras/llama-3.1-8b', 'groq/llama-3.1-8b']);
    expect(router.resolve(ask('smart')).candidates[0]!.id).toBe('gemini/gemini-2.5-flash');
  });

  it('warns about alias targets that match nothing', () => {
    const router = createRouter({ deployments: sampleFleet(), rules: { aliases: { ghost: ['nowhere/model'] } } });
    expect(router.warnings).toEqual(['alias ghost: target nowhere/model matches no usable deployment']);
    expect(thrown(() => router.resolve(ask('ghost'))).code).toBe('model_not_found');
  });

  it('deny removes deployments from every pool and listing; allow keeps only matches', () => {
    const denied = createRouter({ deployments: sampleFleet(), rules: { deny: ['openrouter/*'] } });
    expect(ids(denied.resolve(ask('llama-3.3-70b')).candidates)).toEqual(['groq/llama-3.3-70b']);
    expect(thrown(() => denied.resolve(ask('deepseek-r1'))).code).toBe('model_not_found');
    expect(denied.listModels().some((m) => m.id.startsWith('openrouter/'))).toBe(false);
    const auto = denied.resolve(ask('auto:best'));
    expect(auto.explain().deployments.find((d) => d.id === 'openrouter/deepseek-r1')?.skipped).toMatch(
      /^denied by rule/,
    );

    const allowed = createRouter({ deployments: sampleFleet(), rules: { allow: ['groq/*', '*/codestral'] } });
    expect(new Set(allowed.resolve(ask('auto')).candidates.map((d) => d.providerId))).toEqual(
      new Set(['groq', 'mistral']),
    );
  });

  it('matches tags and operator labels as tag:<name> in allow and deny', () => {
    const fleet = [
      makeDeployment({ provider: 'groq', model: 'llama-3.3-70b', params: 70, tags: ['tools', 'eu-hosted'] }),
      makeDeployment({ provider: 'openrouter', model: 'llama-3.3-70b', params: 70, tags: ['tools', 'experimental'] }),
      makeDeployment({ provider: 'cerebras', model: 'llama-3.3-70b', params: 70, tags: ['tools'] }),
    ];
    const denied = createRouter({ deployments: fleet, rules: { deny: ['tag:experimental'] } });
    expect(ids(denied.resolve(ask('llama-3.3-70b')).candidates).sort()).toEqual(['cerebras/llama-3.3-70b', 'groq/llama-3.3-70b']);
    const allowed = createRouter({ deployments: fleet, rules: { allow: ['tag:eu-*'] } });
    expect(ids(allowed.resolve(ask('llama-3.3-70b')).candidates)).toEqual(['groq/llama-3.3-70b']);
    // A label is not a capability: a tools request still finds the labelled deployments.
    const tools = createRouter({ deployments: fleet }).resolve({ ...ask('llama-3.3-70b'), tools: [{ type: 'function', function: { name: 'f' } }] });
    expect(tools.candidates).toHaveLength(3);
  });
});

describe('explanations', () => {
  it('list every deployment with score parts or the reason it was skipped, and a short header', () => {
    const router = createRouter({ deployments: sampleFleet() });
    const decision = router.resolve({ ...fixture('yes/no spam label'), model: 'auto' });
    const explanation = decision.explain();
    expect(explanation.deployments).toHaveLength(sampleFleet().length);
    expect(explanation.requiredClass).toBe('tiny');
    for (const verdict of explanation.deployments) {
      if (verdict.skipped) expect(verdict.rank).toBeUndefined();
      else {
        expect(verdict.rank).toBeGreaterThan(0);
        expect(verdict.score).toMatchObject({ headroom: 1, available: true });
        expect(verdict.score!.fit).toBeGreaterThanOrEqual(0);
      }
    }
    expect(explanation.deployments.find((d) => d.id === 'gemini/text-embedding-004')?.skipped).toBe(
      'embedding model: cannot chat',
    );
    expect(decision.header).toBe(
      `auto; kind=virtual; task=classification; difficulty=${explanation.features.difficulty}; class=tiny; pick=cloudflare/llama-3.2-1b; candidates=${decision.candidates.length}`,
    );
    expect(JSON.parse(JSON.stringify(explanation))).toMatchObject({ requested: 'auto', kind: 'virtual' });
  });
});
