import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelListers, pullCatalog, renderPullReport, type PullOptions } from '../../src/catalog/index.js';
import { InstantClock, json, sequence, startFakeServer, type FakeServer, type Handler } from './fake-providers.js';

let server: FakeServer;
let dir: string;
let clock: InstantClock;

beforeEach(async () => {
  server = await startFakeServer();
  dir = await mkdtemp(join(tmpdir(), 'freeway-pull-'));
  clock = new InstantClock();
});

afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const listersFor = (...ids: string[]) => modelListers.filter((lister) => ids.includes(lister.providerId));

function pull(ids: string[], options: Partial<PullOptions> = {}) {
  return pullCatalog(
    {
      outDir: dir,
      listers: listersFor(...ids),
      baseUrls: Object.fromEntries(ids.map((id) => [id, `${server.origin}/${id}`])),
      env: {
        GROQ_API_KEY: 'gsk_test_key_123456',
        COHERE_API_KEY: 'co-test-key',
        CLOUDFLARE_API_KEY: 'cf-key',
        CLOUDFLARE_ACCOUNT_ID: 'acct',
        GEMINI_API_KEY: 'g-key',
      },
      policy: { timeoutMs: 2000, retries: 3, baseDelayMs: 500, maxDelayMs: 8000 },
      ...options,
    },
    { clock, random: () => 0.5 },
  );
}

const openRouterModels: Handler = json({
  data: [
    {
      id: 'meta-llama/llama-3.3-70b-instruct:free',
      pricing: { prompt: '0', completion: '0' },
      context_length: 131072,
      supported_parameters: ['tools', 'response_format'],
      top_provider: { max_completion_tokens: 8192 },
    },
    { id: 'meta-llama/llama-3.3-70b-instruct', pricing: { prompt: '0.0000001', completion: '0.0000002' } },
    { id: 'vendor/pricey:free', pricing: { prompt: '0.000001', completion: '0' } },
    { id: 'google/gemini-exp-1206:free', pricing: { prompt: '0', completion: '0' } },
    {
      id: 'brand-new/lab-model-12b:free',
      pricing: { prompt: '0', completion: '0' },
      architecture: { input_modalities: ['text', 'image'] },
    },
  ],
});

const groqModels = (ids: string[]): Handler =>
  json({
    object: 'list',
    data: ids.map((id) => ({
      id,
      object: 'model',
      active: true,
      context_window: 131072,
      max_completion_tokens: 32768,
    })),
  });

describe('pullCatalog in each provider shape', () => {
  it("applies OpenRouter's filter: :free, priced 0, minus the ignore list", async () => {
    server.route('/openrouter/models', openRouterModels);
    const result = await pull(['openrouter']);
    const openrouter = result.catalog.providers.find((p) => p.id === 'openrouter');
    expect(openrouter?.models.map((m) => m.upstreamId)).toEqual([
      'meta-llama/llama-3.3-70b-instruct:free',
      'brand-new/lab-model-12b:free',
    ]);
    const llama = openrouter?.models[0];
    expect(llama).toMatchObject({ id: 'llama-3.3-70b', contextWindow: 131072, maxOutputTokens: 8192 });
    expect(llama?.tags).toEqual(expect.arrayContaining(['tools', 'json']));
    expect(llama?.limits).toEqual([]);
    expect(result.unnamed).toEqual([
      { providerId: 'openrouter', upstreamId: 'brand-new/lab-model-12b:free', id: 'lab-model-12b' },
    ]);
    expect(result.outcomes[0]).toMatchObject({ status: 'ok', models: 2, requests: 1 });
  });

  it('pages Cohere by next_page_token and keeps non-deprecated chat models', async () => {
    server.route('/cohere/v1/models', (request, response, url) => {
      const page = url.searchParams.get('page_token');
      const body =
        page === null
          ? {
              models: [
                { name: 'command-a-03-2025', endpoints: ['chat', 'generate'], context_length: 256000 },
                { name: 'embed-v4.0', endpoints: ['embed'] },
              ],
              next_page_token: 'p2',
            }
          : {
              models: [
                { name: 'command-r-08-2024', endpoints: ['chat'], is_deprecated: true },
                { name: 'command-r7b-12-2024', default_endpoints: ['chat'] },
              ],
              next_page_token: '',
            };
      json(body)(request, response, url);
    });
    const result = await pull(['cohere']);
    expect(result.catalog.providers.find((p) => p.id === 'cohere')?.models.map((m) => m.upstreamId)).toEqual([
      'command-a-03-2025',
      'command-r7b-12-2024',
    ]);
    expect(server.requests.map((r) => r.query.get('page_token'))).toEqual([null, 'p2']);
    expect(server.requests[0]?.headers.authorization).toBe('Bearer co-test-key');
  });

  it('pages GitHub Models by totalPages, half a second apart', async () => {
    server.route('/github-models/marketplace', (request, response, url) => {
      const page = Number(url.searchParams.get('page'));
      json({ results: [{ name: `model-${page}`, friendly_name: `Model ${page}` }], totalPages: 3 })(
        request,
        response,
        url,
      );
    });
    const result = await pull(['github-models']);
    const models = result.catalog.providers.find((p) => p.id === 'github-models')?.models;
    expect(models?.map((m) => [m.upstreamId, m.displayName])).toEqual([
      ['model-1', 'Model 1'],
      ['model-2', 'Model 2'],
      ['model-3', 'Model 3'],
    ]);
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it('pages Cloudflare by result_info and Gemini by nextPageToken, keeping only Gemini models known to be free', async () => {
    server.route('/cloudflare-workers-ai/models/search', (request, response, url) => {
      const page = Number(url.searchParams.get('page'));
      const result =
        page === 1
          ? Array.from({ length: 100 }, (_, i) => ({ name: `@cf/lab/model-${i}` }))
          : [{ name: '@cf/openai/gpt-oss-120b', properties: [{ property_id: 'context_window', value: '128000' }] }];
      json({ success: true, result, result_info: { page, per_page: 100, total_count: 101 } })(request, response, url);
    });
    server.route('/google-ai-studio/models', (request, response, url) => {
      const token = url.searchParams.get('pageToken');
      const models = token
        ? [
            {
              name: 'models/gemini-2.5-flash',
              supportedGenerationMethods: ['generateContent'],
              inputTokenLimit: 1048576,
              outputTokenLimit: 65536,
            },
          ]
        : [
            { name: 'models/gemini-9-pro', supportedGenerationMethods: ['generateContent'] },
            { name: 'models/text-embedding-004', supportedGenerationMethods: ['embedContent'] },
          ];
      json({ models, ...(token ? {} : { nextPageToken: 'next' }) })(request, response, url);
    });
    const result = await pull(['cloudflare-workers-ai', 'google-ai-studio']);
    const cloudflare = result.catalog.providers.find((p) => p.id === 'cloudflare-workers-ai');
    expect(cloudflare?.models).toHaveLength(101);
    expect(cloudflare?.models.find((m) => m.id === 'gpt-oss-120b')?.contextWindow).toBe(128000);
    const gemini = result.catalog.providers.find((p) => p.id === 'google-ai-studio');
    expect(gemini?.models.map((m) => m.upstreamId)).toEqual(['gemini-2.5-flash']);
    expect(gemini?.models[0]).toMatchObject({ contextWindow: 1048576, maxOutputTokens: 65536 });
    expect(gemini?.models[0]?.limits.length).toBe(3);
    expect(result.outcomes.find((o) => o.providerId === 'google-ai-studio')?.detail).toBe(
      '1 listed but not known to be free',
    );
    expect(server.requests.find((r) => r.path.startsWith('/google'))?.headers['x-goog-api-key']).toBe('g-key');
  });
});

describe('pullCatalog under trouble', () => {
  it('waits what Retry-After says plus full jitter (as resilience/ backs off) on a 429, then succeeds', async () => {
    server.route(
      '/groq/models',
      sequence(json({ error: 'slow down' }, 429, { 'retry-after': '7' }), groqModels(['llama-3.3-70b-versatile'])),
    );
    const result = await pull(['groq']);
    expect(result.outcomes[0]).toMatchObject({ status: 'ok', requests: 2, models: 1 });
    // 7 s asked for, plus random 0.5 of the first backoff step (500 ms), so a herd does not return together.
    expect(clock.sleeps).toEqual([7250]);
  });

  it('retries a 500 with full-jitter exponential backoff', async () => {
    server.route('/groq/models', sequence(json({}, 500), json({}, 502), groqModels(['llama-3.3-70b-versatile'])));
    const result = await pull(['groq']);
    expect(result.outcomes[0]).toMatchObject({ status: 'ok', requests: 3 });
    // random() = 0.5: half of 500·2^0, then half of 500·2^1.
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('reports a provider that keeps failing and still finishes the others', async () => {
    server.route('/groq/models', json({ error: 'boom' }, 500));
    server.route('/openrouter/models', openRouterModels);
    server.route('/cohere/v1/models', (request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"models": [tru'),
    );
    const result = await pull(['groq', 'openrouter', 'cohere']);
    const byId = Object.fromEntries(result.outcomes.map((o) => [o.providerId, o]));
    expect(byId.groq).toMatchObject({ status: 'failed', detail: 'HTTP 500 after 4 attempts', requests: 4 });
    expect(byId.cohere).toMatchObject({ status: 'failed', detail: 'malformed JSON in the answer', requests: 1 });
    expect(byId.openrouter).toMatchObject({ status: 'ok', models: 2 });
    // A failed provider keeps the models it had.
    expect(result.catalog.providers.find((p) => p.id === 'groq')?.models).toHaveLength(15);
    const report = renderPullReport(result);
    expect(report).toMatch(/groq\s+failed\s+0\s+4\s+HTTP 500 after 4 attempts/);
    expect(report).toContain('ok 1 · skipped 0 · failed 2');
  });

  it('gives up on a hang after the timeout', async () => {
    server.route('/groq/models', () => undefined);
    const result = await pull(['groq'], { policy: { timeoutMs: 100, retries: 1 } });
    expect(result.outcomes[0]).toMatchObject({
      status: 'failed',
      detail: 'timed out after 100 ms after 2 attempts',
      requests: 2,
    });
  });

  it('skips providers without a key and never prints a key', async () => {
    server.route('/groq/models', json({ error: { message: 'invalid key gsk_test_key_123456' } }, 401));
    const result = await pull(['groq', 'scaleway', 'mistral-la-plateforme']);
    const report = renderPullReport(result);
    expect(result.outcomes.find((o) => o.providerId === 'scaleway')).toMatchObject({
      status: 'skipped',
      detail: 'no key (SCALEWAY_API_KEY)',
      requests: 0,
    });
    expect(result.outcomes.find((o) => o.providerId === 'groq')).toMatchObject({
      status: 'failed',
      detail: 'HTTP 401',
      requests: 1,
    });
    expect(report).toContain('skipped (no key)');
    expect(report).not.toContain('gsk_test_key_123456');
    expect(server.hits.get('/scaleway/models')).toBeUndefined();
  });

  it('asks at most `concurrency` providers at once', async () => {
    const ids = ['openrouter', 'groq', 'sambanova', 'scaleway', 'cerebras'];
    const held: (() => void)[] = [];
    let inFlight = 0;
    let peak = 0;
    let remaining = ids.length;
    const hold: Handler = (request, response, url) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      held.push(() => {
        inFlight -= 1;
        remaining -= 1;
        json({ data: [] })(request, response, url);
      });
      // Release in pairs: an unbounded run would have all five open before the first pair is let go.
      if (held.length === Math.min(2, remaining)) for (const release of held.splice(0)) release();
    };
    for (const id of ids) server.route(`/${id}/models`, hold);
    const env = { GROQ_API_KEY: 'k1', SCALEWAY_API_KEY: 'k2', CEREBRAS_API_KEY: 'k3' };
    const result = await pull(ids, { concurrency: 2, env });
    expect(result.outcomes.every((o) => o.status === 'ok')).toBe(true);
    expect(peak).toBe(2);
  });
});

describe('pullCatalog cache and snapshots', () => {
  it('sends no request on a rerun inside the TTL, and asks again after it or with refresh', async () => {
    server.route('/groq/models', groqModels(['llama-3.3-70b-versatile']));
    await pull(['groq'], { cacheTtlMs: 60_000 });
    expect(server.hits.get('/groq/models')).toBe(1);

    clock.advance(59_000);
    const cached = await pull(['groq'], { cacheTtlMs: 60_000 });
    expect(server.hits.get('/groq/models')).toBe(1);
    expect(cached.outcomes[0]).toMatchObject({ status: 'ok', fromCache: true, detail: 'cached', models: 1 });

    await pull(['groq'], { cacheTtlMs: 60_000, refresh: true });
    expect(server.hits.get('/groq/models')).toBe(2);

    clock.advance(61_000);
    await pull(['groq'], { cacheTtlMs: 60_000 });
    expect(server.hits.get('/groq/models')).toBe(3);
  });

  it('reports models added and removed since the previous snapshot, and writes catalog.json and catalog.md', async () => {
    let ids = ['llama-3.3-70b-versatile', 'openai/gpt-oss-120b'];
    server.route('/groq/models', (request, response, url) => groqModels(ids)(request, response, url));
    const first = await pull(['groq']);
    expect(first.baseline).toBe('built-in catalog');
    expect(first.removed.length).toBe(13);
    expect(first.added).toEqual([]);

    ids = ['llama-3.3-70b-versatile', 'moonshotai/kimi-k3'];
    const second = await pull(['groq'], { refresh: true });
    expect(second.baseline).toBe('previous snapshot');
    expect(second.added).toEqual([{ providerId: 'groq', upstreamId: 'moonshotai/kimi-k3', id: 'kimi-k3' }]);
    expect(second.removed).toEqual([{ providerId: 'groq', upstreamId: 'openai/gpt-oss-120b', id: 'gpt-oss-120b' }]);
    expect(renderPullReport(second)).toContain('Since the previous snapshot: 1 added, 1 removed.');

    const snapshot = JSON.parse(await readFile(join(dir, 'catalog.json'), 'utf8')) as {
      providers: { id: string; models: { upstreamId: string }[] }[];
    };
    expect(snapshot.providers.find((p) => p.id === 'groq')?.models.map((m) => m.upstreamId)).toEqual(ids);
    expect(await readFile(join(dir, 'catalog.md'), 'utf8')).toContain('`moonshotai/kimi-k3`');
  });

  it('treats an unreadable cache or snapshot as missing', async () => {
    server.route('/groq/models', groqModels(['llama-3.3-70b-versatile']));
    await pull(['groq']);
    await writeFile(join(dir, '.cache', 'groq.json'), '{broken');
    await writeFile(join(dir, 'catalog.json'), '[]');
    const result = await pull(['groq']);
    expect(server.hits.get('/groq/models')).toBe(2);
    expect(result.baseline).toBe('built-in catalog');
  });
});
