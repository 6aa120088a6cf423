/**
 * How to ask each provider for its models: the endpoint, the auth, the paging and the filter that the
 * original cheahjs script applied, reading each answer in the provider's own shape. Returns raw model
 * records; it never decides limits and never touches the cache or the catalog.
 */
import { z } from 'zod';
import type { ModelTag } from '../../core/deployment.js';
import { bearer, optionalNumber, parse, withOptional, type ModelLister } from './lister-support.js';
import { cloudflare, cohere, githubModels, googleAiStudio } from './paged-model-listers.js';

export type { ListContext, ModelLister } from './lister-support.js';

const openAiList = z.object({ data: z.array(z.object({ id: z.string().min(1) }).loose()) });

/** Plain OpenAI `GET /models` with a bearer key: `{data: [{id}]}`. */
function openAiLister(providerId: string, defaultBaseUrl: string, ignored: readonly string[] = []): ModelLister {
  return {
    providerId,
    defaultBaseUrl,
    needsKey: true,
    paceMs: 250,
    async list({ baseUrl, apiKey, get }) {
      const body = parse(openAiList, await get(`${baseUrl}/models`, bearer(apiKey)), 'data[]');
      return body.data.filter((model) => !ignored.includes(model.id)).map((model) => ({ upstreamId: model.id }));
    },
  };
}

export const openRouterIgnored = [
  'google/gemini-2.0-flash-exp:free',
  'google/gemini-2.0-flash-thinking-exp-1219:free',
  'google/gemini-2.0-flash-thinking-exp:free',
  'google/gemini-2.0-pro-exp-02-05:free',
  'google/gemini-exp-1114:free',
  'google/gemini-exp-1121:free',
  'google/gemini-exp-1206:free',
  'google/gemini-flash-1.5-exp:free',
  'google/learnlm-1.5-pro-experimental:free',
];

export const hyperbolicIgnored = [
  'FLUX.1-dev',
  'Monad',
  'SDXL1.0-base',
  'StableDiffusion',
  'TTS',
  'Wifhat',
  'deepseek-ai/DeepSeek-R1',
  'deepseek-ai/DeepSeek-R1-Zero',
  'deepseek-ai/Janus-Pro-7B',
  'test',
];

const openRouterList = z.object({
  data: z.array(
    z
      .object({
        id: z.string().min(1),
        pricing: z.object({ prompt: z.coerce.number(), completion: z.coerce.number() }).loose(),
        context_length: optionalNumber,
        top_provider: z.object({ max_completion_tokens: optionalNumber }).loose().optional().catch(undefined),
        supported_parameters: z.array(z.string()).optional().catch(undefined),
        architecture: z
          .object({ input_modalities: z.array(z.string()).optional() })
          .loose()
          .optional()
          .catch(undefined),
      })
      .loose(),
  ),
});

const openRouter: ModelLister = {
  providerId: 'openrouter',
  defaultBaseUrl: 'https://openrouter.ai/api/v1',
  needsKey: false,
  paceMs: 250,
  async list({ baseUrl, apiKey, get }) {
    const body = parse(openRouterList, await get(`${baseUrl}/models`, bearer(apiKey)), 'data[] with pricing');
    return body.data
      .filter(
        (m) =>
          m.id.includes(':free') && m.pricing.prompt + m.pricing.completion === 0 && !openRouterIgnored.includes(m.id),
      )
      .map((m) => {
        const parameters = m.supported_parameters ?? [];
        const tags: ModelTag[] = [];
        if (parameters.includes('tools')) tags.push('tools');
        if (parameters.includes('response_format') || parameters.includes('structured_outputs')) tags.push('json');
        if (m.architecture?.input_modalities?.includes('image')) tags.push('vision');
        return withOptional(
          { upstreamId: m.id },
          { contextWindow: m.context_length, maxOutputTokens: m.top_provider?.max_completion_tokens, tags },
        );
      });
  },
};

const groqList = z.object({
  data: z.array(
    z
      .object({
        id: z.string().min(1),
        active: z.boolean().optional().catch(undefined),
        context_window: optionalNumber,
        max_completion_tokens: optionalNumber,
      })
      .loose(),
  ),
});

const groq: ModelLister = {
  providerId: 'groq',
  defaultBaseUrl: 'https://api.groq.com/openai/v1',
  needsKey: true,
  paceMs: 250,
  async list({ baseUrl, apiKey, get }) {
    const body = parse(groqList, await get(`${baseUrl}/models`, bearer(apiKey)), 'data[]');
    return body.data
      .filter((m) => m.active !== false)
      .map((m) =>
        withOptional(
          { upstreamId: m.id },
          { contextWindow: m.context_window, maxOutputTokens: m.max_completion_tokens },
        ),
      );
  },
};

const sambaNovaList = z.object({
  data: z.array(
    z.object({ id: z.string().min(1), context_length: optionalNumber, max_completion_tokens: optionalNumber }).loose(),
  ),
});

const sambaNova: ModelLister = {
  providerId: 'sambanova',
  defaultBaseUrl: 'https://api.sambanova.ai/v1',
  needsKey: false,
  paceMs: 250,
  async list({ baseUrl, apiKey, get }) {
    const body = parse(sambaNovaList, await get(`${baseUrl}/models`, bearer(apiKey)), 'data[]');
    return body.data.map((m) =>
      withOptional({ upstreamId: m.id }, { contextWindow: m.context_length, maxOutputTokens: m.max_completion_tokens }),
    );
  },
};

const mistralList = z.object({
  data: z.array(
    z
      .object({
        id: z.string().min(1),
        max_context_length: optionalNumber,
        capabilities: z
          .object({
            completion_chat: z.boolean().optional(),
            function_calling: z.boolean().optional(),
            vision: z.boolean().optional(),
          })
          .loose()
          .optional()
          .catch(undefined),
      })
      .loose(),
  ),
});

const mistral: ModelLister = {
  providerId: 'mistral-la-plateforme',
  defaultBaseUrl: 'https://api.mistral.ai/v1',
  needsKey: true,
  paceMs: 1000,
  async list({ baseUrl, apiKey, get }) {
    const body = parse(mistralList, await get(`${baseUrl}/models`, bearer(apiKey)), 'data[]');
    return body.data
      .filter((m) => m.capabilities?.completion_chat !== false)
      .map((m) => {
        const tags: ModelTag[] = [];
        if (m.capabilities?.function_calling) tags.push('tools');
        if (m.capabilities?.vision) tags.push('vision');
        return withOptional({ upstreamId: m.id }, { contextWindow: m.max_context_length, tags });
      });
  },
};

export const modelListers: readonly ModelLister[] = [
  openRouter,
  groq,
  googleAiStudio,
  cloudflare,
  githubModels,
  sambaNova,
  openAiLister('scaleway', 'https://api.scaleway.ai/v1'),
  cohere,
  openAiLister('hyperbolic', 'https://api.hyperbolic.xyz/v1', hyperbolicIgnored),
  mistral,
  openAiLister('cerebras', 'https://api.cerebras.ai/v1'),
  openAiLister('nvidia-nim', 'https://integrate.api.nvidia.com/v1'),
];
