/**
 * The model lists that come in pages: Google AI Studio (nextPageToken), Cloudflare (result_info),
 * GitHub Models' marketplace (totalPages) and Cohere (next_page_token), each with the original's filter.
 */
import { z } from 'zod';
import type { RawModel } from '../catalog-schema.js';
import { bearer, optionalNumber, parse, withOptional, type ModelLister } from './lister-support.js';

const geminiList = z.object({
  models: z
    .array(
      z
        .object({
          name: z.string().min(1),
          inputTokenLimit: optionalNumber,
          outputTokenLimit: optionalNumber,
          supportedGenerationMethods: z.array(z.string()).default([]),
        })
        .loose(),
    )
    .default([]),
  nextPageToken: z.string().optional(),
});

export const googleAiStudio: ModelLister = {
  providerId: 'google-ai-studio',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
  needsKey: true,
  paceMs: 250,
  keepOnlyKnown: true,
  async list({ baseUrl, apiKey, get }) {
    const models: RawModel[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ pageSize: '1000', ...(pageToken ? { pageToken } : {}) });
      // The key goes in a header, never the URL, so it cannot leak into an error or a log line.
      const body = parse(
        geminiList,
        await get(`${baseUrl}/models?${query.toString()}`, apiKey ? { 'x-goog-api-key': apiKey } : {}),
        'models[]',
      );
      for (const m of body.models.filter((m) => m.supportedGenerationMethods.includes('generateContent'))) {
        models.push(
          withOptional(
            { upstreamId: m.name.replace(/^models\//, '') },
            { contextWindow: m.inputTokenLimit, maxOutputTokens: m.outputTokenLimit },
          ),
        );
      }
      pageToken = body.nextPageToken || undefined;
    } while (pageToken);
    return models;
  },
};

const cloudflareSearch = z.object({
  success: z.boolean().optional(),
  result: z.array(
    z
      .object({
        name: z.string().min(1),
        properties: z
          .array(z.object({ property_id: z.string(), value: z.unknown() }).loose())
          .optional()
          .catch(undefined),
      })
      .loose(),
  ),
  result_info: z
    .object({ page: z.number().optional(), per_page: z.number().optional(), total_count: z.number().optional() })
    .loose()
    .optional(),
});

export const cloudflare: ModelLister = {
  providerId: 'cloudflare-workers-ai',
  defaultBaseUrl: 'https://api.cloudflare.com/client/v4/accounts/{CLOUDFLARE_ACCOUNT_ID}/ai',
  needsKey: true,
  paceMs: 250,
  async list({ baseUrl, apiKey, get }) {
    const models: RawModel[] = [];
    const perPage = 100;
    for (let page = 1; ; page += 1) {
      const query = new URLSearchParams({ search: 'Text Generation', per_page: String(perPage), page: String(page) });
      const body = parse(
        cloudflareSearch,
        await get(`${baseUrl}/models/search?${query.toString()}`, bearer(apiKey)),
        'result[]',
      );
      for (const m of body.result) {
        const context = m.properties?.find((p) => p.property_id === 'context_window')?.value;
        models.push(withOptional({ upstreamId: m.name }, { contextWindow: optionalNumber.parse(context) }));
      }
      const total = body.result_info?.total_count;
      if (body.result.length === 0 || total === undefined || page * perPage >= total) return models;
    }
  },
};

const githubMarketplace = z.object({
  results: z.array(z.object({ name: z.string().min(1), friendly_name: z.string().optional() }).loose()),
  totalPages: z.number().int().nonnegative().optional(),
});

export const githubModels: ModelLister = {
  providerId: 'github-models',
  defaultBaseUrl: 'https://github.com',
  needsKey: false,
  // The original slept half a second between marketplace pages.
  paceMs: 500,
  async list({ baseUrl, get }) {
    const models: RawModel[] = [];
    for (let page = 1; ; page += 1) {
      const body = parse(
        githubMarketplace,
        await get(`${baseUrl}/marketplace?type=models&page=${page}`, { 'x-requested-with': 'XMLHttpRequest' }),
        'results[]',
      );
      for (const m of body.results) models.push(withOptional({ upstreamId: m.name }, { displayName: m.friendly_name }));
      if (body.results.length === 0 || page >= (body.totalPages ?? 1)) return models;
    }
  },
};

const cohereList = z.object({
  models: z.array(
    z
      .object({
        name: z.string().min(1),
        endpoints: z.array(z.string()).default([]),
        default_endpoints: z.array(z.string()).default([]),
        is_deprecated: z.boolean().optional().catch(undefined),
        context_length: optionalNumber,
      })
      .loose(),
  ),
  next_page_token: z.string().nullish(),
});

export const cohere: ModelLister = {
  providerId: 'cohere',
  defaultBaseUrl: 'https://api.cohere.com',
  needsKey: true,
  paceMs: 250,
  async list({ baseUrl, apiKey, get }) {
    const models: RawModel[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ page_size: '1000', ...(pageToken ? { page_token: pageToken } : {}) });
      const body = parse(cohereList, await get(`${baseUrl}/v1/models?${query.toString()}`, bearer(apiKey)), 'models[]');
      for (const m of body.models) {
        if (m.is_deprecated === true || ![...m.endpoints, ...m.default_endpoints].includes('chat')) continue;
        models.push(withOptional({ upstreamId: m.name }, { contextWindow: m.context_length }));
      }
      pageToken = body.next_page_token || undefined;
    } while (pageToken);
    return models;
  },
};
