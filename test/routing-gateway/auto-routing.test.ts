// Smart routing through the HTTP API against the default simulated fleet: which class `auto`
// chooses for requests of every kind, auto:code / auto:best, aliases and deny lists from config,
// the dry run, GET /v1/models, max_tokens clamping and the capability and context errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizeClassOf, sizeClasses, type SizeClass } from '../../src/routing/index.js';
import { startStack, type Stack } from '../support/start-stack.js';
import { requestFixtures } from '../routing/request-fixtures.js';
import { errorOf, longText, pickOf, post, user, type Answer, type Explanation } from './routing-http.js';

let stack: Stack;
let chatUrl: string;
let routeUrl: string;
/** `provider/canonical-id` → what the fleet says about that deployment's model. */
const models = new Map<string, { sizeClass: SizeClass | 'unknown'; tags: string[] }>();

beforeAll(async () => {
  stack = await startStack({
    overrides: {
      routing: { aliases: { fast: ['groq/llama-3.1-8b', 'cerebras/llama-3.1-8b'] }, deny: ['nvidia/*'] },
    },
  });
  chatUrl = `${stack.freeway.url}/v1/chat/completions`;
  routeUrl = `${stack.freeway.url}/v1/freeway/route`;
  for (const provider of stack.fleet.spec.providers)
    for (const model of provider.models) models.set(`${provider.id}/${model.id}`, { sizeClass: sizeClassOf(model.params), tags: model.tags });
});
afterAll(async () => {
  await stack.close();
});

const rank = (c: SizeClass | 'unknown') => sizeClasses.indexOf(c as SizeClass);
/** The deployment that answered, as `provider/canonical-id`. */
const answeredModel = (answer: Answer) => `${answer.headers.get('x-freeway-provider')}/${String(answer.body['model'])}`;
const accepted = () => Object.values(stack.fleet.stats().providers).reduce((sum, p) => sum + p.accepted, 0);

describe('auto sizes the model to the task', () => {
  it.each(requestFixtures)('$name → the smallest class that fits', async (fixture) => {
    const answer = await post(chatUrl, { model: 'auto', ...fixture.body });
    expect(answer.status).toBe(200);
    const route = answer.headers.get('x-freeway-route') ?? '';
    expect(route).toMatch(new RegExp(`^auto; kind=virtual; task=${fixture.kind}; difficulty=[\\d.]+; class=\\w+; pick=`));
    const required = /class=(\w+)/.exec(route)?.[1] as SizeClass;
    const chosen = models.get(answeredModel(answer))?.sizeClass ?? 'unknown';
    // Never smaller than the task needs; at most one class bigger (the default fleet has no tiny model).
    expect(rank(chosen)).toBeGreaterThanOrEqual(rank(required));
    expect(rank(chosen) - rank(required)).toBeLessThanOrEqual(1);
    expect(pickOf(answer)?.startsWith(`${answer.headers.get('x-freeway-provider')}/`)).toBe(true);
  });

  it('sends a yes/no label to a small model and a hard proof to a frontier one', async () => {
    const [label, proof] = [requestFixtures[0]!, requestFixtures.find((f) => f.name === 'hard proof')!];
    expect(models.get(answeredModel(await post(chatUrl, { model: 'auto', ...label.body }))))
      .toMatchObject({ sizeClass: 'small' });
    expect(models.get(answeredModel(await post(chatUrl, { model: 'auto', ...proof.body }))))
      .toMatchObject({ sizeClass: 'frontier' });
  });

  it('auto prefers code-tagged models for code tasks', async () => {
    for (const fixture of requestFixtures.filter((f) => f.kind === 'code')) {
      const answer = await post(chatUrl, { model: 'auto', ...fixture.body });
      expect(models.get(answeredModel(answer))?.tags).toContain('code');
    }
  });

  it('auto:code answers only from code-tagged models', async () => {
    for (const fixture of requestFixtures) {
      const answer = await post(chatUrl, { model: 'auto:code', ...fixture.body });
      expect(answer.status).toBe(200);
      expect(models.get(answeredModel(answer))?.tags).toContain('code');
    }
  });

  it('auto:best takes the strongest class even for an easy task', async () => {
    const answer = await post(chatUrl, { model: 'auto:best', ...requestFixtures[1]!.body });
    expect(answer.status).toBe(200);
    expect(models.get(answeredModel(answer))?.sizeClass).toBe('frontier');
    const explanation = (await post(routeUrl, { model: 'auto:best', ...requestFixtures[1]!.body })).body as unknown as Explanation;
    expect(explanation.mode).toBe('quality');
  });

  it('auto with an image goes to a vision model', async () => {
    const image = [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }];
    const answer = await post(chatUrl, { model: 'auto', messages: user(image) });
    expect(answer.status).toBe(200);
    expect(models.get(answeredModel(answer))?.tags).toContain('vision');
  });
});

describe('rules from config', () => {
  it('an alias routes only to its targets, in order', async () => {
    const answer = await post(chatUrl, { model: 'fast', messages: user('Say hi') });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-freeway-route')).toMatch(/^fast; kind=alias; .*pick=groq\/llama-3.1-8b; candidates=2$/);
    const explanation = (await post(routeUrl, { model: 'fast', messages: user('Say hi') })).body as unknown as Explanation;
    expect(explanation.mode).toBe('order');
    expect(explanation.candidates.map((c) => c.id)).toEqual(['groq/llama-3.1-8b', 'cerebras/llama-3.1-8b']);
  });

  it('a denied provider is never used, never listed, and cannot be pinned', async () => {
    const explanation = (await post(routeUrl, { model: 'auto', messages: user('Hello') })).body as unknown as Explanation;
    const nvidia = explanation.deployments.filter((d) => d.id.startsWith('nvidia/'));
    expect(nvidia.length).toBeGreaterThan(0);
    for (const d of nvidia) expect(d.skipped).toMatch(/^denied by rule/);
    expect(explanation.candidates.some((c) => c.provider === 'nvidia')).toBe(false);

    const pinned = await post(chatUrl, { model: 'nvidia/llama-3.3-70b', messages: user('Hello') });
    expect(pinned.status).toBe(404);
    expect(errorOf(pinned).code).toBe('model_not_found');
    const ids = ((await (await fetch(`${stack.freeway.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id);
    expect(ids.some((id) => id.startsWith('nvidia/'))).toBe(false);
    expect(stack.fleet.stats().providers['nvidia']?.accepted).toBe(0);
  });

  it('GET /v1/models lists virtual models, aliases, canonical ids and provider pins', async () => {
    const list = (await (await fetch(`${stack.freeway.url}/v1/models`)).json()) as { object: string; data: { id: string; object: string }[] };
    expect(list.object).toBe('list');
    const ids = list.data.map((m) => m.id);
    expect(ids.slice(0, 5)).toEqual(['auto', 'auto:fast', 'auto:best', 'auto:code', 'fast']);
    expect(ids).toEqual(expect.arrayContaining(['llama-3.3-70b', 'gpt-oss-120b', 'groq/llama-3.3-70b', 'cloudflare/gpt-oss-20b']));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('the dry run', () => {
  const tools = [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }];
  const body = { model: 'auto', messages: user('What is the weather in Paris?'), tools, max_tokens: 50_000 };

  it('returns the whole decision without calling a provider, by route or by header', async () => {
    const before = accepted();
    const byRoute = await post(routeUrl, body);
    const byHeader = await post(chatUrl, body, { 'x-freeway-dry-run': 'true' });
    expect(accepted()).toBe(before);
    for (const answer of [byRoute, byHeader]) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-freeway-route')).toBe(answer.body['route']);
    }
    const explanation = byHeader.body as unknown as Explanation;
    expect(explanation).toMatchObject({ object: 'freeway.route', requested: 'auto', kind: 'virtual', mode: 'fit' });
    expect(explanation.features).toMatchObject({ kind: 'chat', needs: { tools: true, json: false, vision: false } });
    // Both ways hold the same candidates; their order may move between two calls as quota and latency views refresh.
    const candidateIds = (e: Explanation) => e.candidates.map((c) => c.id).sort();
    expect(candidateIds(byRoute.body as unknown as Explanation)).toEqual(candidateIds(explanation));

    // Every deployment is accounted for: candidates ranked with their score parts, the rest with a reason.
    const ranked = explanation.deployments.filter((d) => d.rank !== undefined).sort((a, b) => a.rank! - b.rank!);
    expect(ranked.map((d) => d.id)).toEqual(explanation.candidates.map((c) => c.id));
    for (const d of ranked) {
      const { fit, headroom, latency, total } = d.score!;
      expect([fit, headroom, latency, total].every((part) => part >= 0 && part <= 1)).toBe(true);
    }
    const reasons = new Set(explanation.deployments.filter((d) => d.skipped).map((d) => d.skipped));
    expect([...reasons]).toEqual(expect.arrayContaining(['no tools support', 'embedding model: cannot chat']));
    // max_tokens as each candidate would receive it.
    for (const c of explanation.candidates) expect(c.maxTokens).toBeLessThanOrEqual(50_000);
  });

  it('answers a dry run for an impossible request with the error the real call would get', async () => {
    const dry = await post(chatUrl, { ...body, model: 'gemma-3-27b' }, { 'x-freeway-dry-run': '1' });
    expect(dry.status).toBe(400);
    expect(errorOf(dry)).toMatchObject({ code: 'invalid_request', param: 'tools' });
    const bad = await post(chatUrl, body, { 'x-freeway-dry-run': 'maybe' });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).param).toBe('x-freeway-dry-run');
  });
});

describe('request shaping', () => {
  it('clamps max_tokens to the chosen model’s output cap instead of letting the provider refuse', async () => {
    const answer = await post(chatUrl, { model: 'github-models/llama-3.3-70b', messages: user('Tell me a story'), max_tokens: 10_000 });
    expect(answer.status).toBe(200);
    expect((answer.body['usage'] as { completion_tokens: number }).completion_tokens).toBeLessThanOrEqual(4000);

    const explanation = (await post(routeUrl, { model: 'llama-3.3-70b', messages: user('Tell me a story'), max_tokens: 20_000 })).body as unknown as Explanation;
    const caps = Object.fromEntries(explanation.candidates.map((c) => [c.provider, c.maxTokens]));
    expect(caps).toEqual({ groq: 20_000, openrouter: 8192, cloudflare: 4096, 'github-models': 4000 });
  });

  it('a prompt longer than every window is a 400 context_length_exceeded naming the largest window', async () => {
    const answer = await post(chatUrl, { model: 'llama-3.3-70b', messages: user(longText(200_000)) });
    expect(answer.status).toBe(400);
    expect(errorOf(answer).code).toBe('context_length_exceeded');
    expect(errorOf(answer).message).toMatch(/largest context window on offer for 'llama-3.3-70b' is 131072 tokens/);
  });

  it.each([
    ['tools', 'gemma-3-27b', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }] }, /no tools support/],
    ['response_format', 'gemma-3-12b', { response_format: { type: 'json_object' } }, /no JSON mode/],
    ['messages', 'llama-3.1-8b', { messages: user([{ type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }]) }, /no vision input/],
  ])('a missing capability (%s) is a clear 400', async (param, model, extra, reason) => {
    const answer = await post(chatUrl, { model, messages: user('Describe it in JSON'), ...extra });
    expect(answer.status).toBe(400);
    expect(errorOf(answer)).toMatchObject({ code: 'invalid_request', param });
    expect(errorOf(answer).message).toMatch(reason);
  });
});
