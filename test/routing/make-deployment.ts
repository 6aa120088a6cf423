// Builds test deployments with every field src/core/deployment.ts asks for, so tests state only what matters.
import type { Deployment } from '../../src/core/deployment.js';

export interface DeploymentSpec {
  provider: string;
  model: string;
  upstreamId?: string;
  params?: number;
  contextWindow?: number;
  maxOutputTokens?: number;
  /** Capabilities and labels. */
  tags?: string[];
  key?: number;
}

export function makeDeployment(spec: DeploymentSpec): Deployment {
  const keyLabel = `key${spec.key ?? 1}`;
  return {
    id: `${spec.provider}/${spec.model}${spec.key && spec.key > 1 ? `#${spec.key}` : ''}`,
    providerId: spec.provider,
    keyLabel,
    baseUrl: `http://127.0.0.1:9/${spec.provider}/v1`,
    apiKey: `sk-test-${spec.provider}-${keyLabel}`,
    dialect: 'openai',
    model: {
      id: spec.model,
      upstreamId: spec.upstreamId ?? spec.model,
      ...(spec.contextWindow !== undefined ? { contextWindow: spec.contextWindow } : {}),
      ...(spec.maxOutputTokens !== undefined ? { maxOutputTokens: spec.maxOutputTokens } : {}),
      ...(spec.params !== undefined ? { params: spec.params } : {}),
      tags: spec.tags ?? [],
    },
    scopeKey: `${spec.provider}:${keyLabel}`,
    modelScopeKey: `${spec.provider}:${keyLabel}:${spec.model}`,
    scopeLimits: [],
    modelLimits: [],
    quirks: {},
  };
}

/** A small mixed fleet: every size class, one unknown size, an embedding model. */
export function sampleFleet(): Deployment[] {
  return [
    makeDeployment({
      provider: 'cloudflare',
      model: 'llama-3.2-1b',
      params: 1,
      contextWindow: 8_192,
      maxOutputTokens: 2_048,
      tags: ['json'],
    }),
    makeDeployment({
      provider: 'groq',
      model: 'llama-3.1-8b',
      params: 8,
      contextWindow: 131_072,
      maxOutputTokens: 8_192,
      tags: ['tools', 'json'],
    }),
    makeDeployment({
      provider: 'cerebras',
      model: 'llama-3.1-8b',
      params: 8,
      contextWindow: 8_192,
      maxOutputTokens: 8_192,
      tags: ['tools', 'json'],
    }),
    makeDeployment({
      provider: 'mistral',
      model: 'codestral',
      params: 22,
      contextWindow: 32_000,
      maxOutputTokens: 4_096,
      tags: ['code', 'tools', 'json'],
    }),
    makeDeployment({
      provider: 'groq',
      model: 'llama-3.3-70b',
      upstreamId: 'llama-3.3-70b-versatile',
      params: 70,
      contextWindow: 131_072,
      maxOutputTokens: 32_768,
      tags: ['code', 'tools', 'json'],
    }),
    makeDeployment({
      provider: 'openrouter',
      model: 'llama-3.3-70b',
      upstreamId: 'meta-llama/llama-3.3-70b-instruct:free',
      params: 70,
      contextWindow: 65_536,
      maxOutputTokens: 4_096,
      tags: ['code', 'tools'],
    }),
    makeDeployment({
      provider: 'gemini',
      model: 'gemini-2.5-flash',
      contextWindow: 1_048_576,
      maxOutputTokens: 65_536,
      tags: ['code', 'tools', 'json', 'vision', 'reasoning'],
    }),
    makeDeployment({
      provider: 'openrouter',
      model: 'deepseek-r1',
      params: 671,
      contextWindow: 163_840,
      maxOutputTokens: 16_384,
      tags: ['code', 'reasoning'],
    }),
    makeDeployment({ provider: 'gemini', model: 'text-embedding-004', contextWindow: 2_048, tags: ['embedding'] }),
  ];
}
