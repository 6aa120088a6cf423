/**
 * What a simulated fleet is, as plain data: providers with their dialect, scope, keys, limits,
 * models, latency and faults. Parsing lives in parse-fleet.ts; this file holds types only and
 * must never import the gateway's config or limit types, so the referee cannot inherit its bugs.
 */
import type { SimRejects } from './param-rejections.js';

export const SIM_DIALECTS = [
  'openai',
  'groq',
  'cerebras',
  'openrouter',
  'gemini',
  'mistral',
  'cloudflare',
  'together',
  'anthropic',
  'ietf',
  'none',
] as const;
export type SimDialect = (typeof SIM_DIALECTS)[number];

/** Who a provider counts usage against: each key alone, or everything sent by the organisation/project/account. */
export type SimScope = 'key' | 'organization' | 'project' | 'account';

/** What a model is good at or supports; the same words freeway.yaml accepts. */
export const MODEL_TAGS = ['code', 'tools', 'json', 'vision', 'reasoning', 'embedding', 'audio'] as const;

export interface SimLimit {
  unit: 'requests' | 'tokens';
  amount: number;
  /** As written in the file (`minute`, `day`, `90s`): echoed into the gateway config. */
  per: string;
  /** Window length in ms of fleet time. */
  windowMs: number;
  /** Day and month limits reset on the calendar; others refill continuously. */
  calendar?: 'day' | 'month';
  /** IANA zone of a calendar reset; UTC when absent. */
  timeZone?: string;
}

export interface SimLatency {
  /** Time to first token, ms of fleet time. */
  ttftMs: number;
  tokensPerSecond: number;
  /** Relative noise, 0..1: each latency is scaled by a seeded factor in [1 - jitter, 1 + jitter]. */
  jitter: number;
}

export interface SimModel {
  /** Canonical id (what a gateway client asks for). */
  id: string;
  /** The id this provider serves it under. */
  upstreamId: string;
  kind: 'chat' | 'embedding';
  contextWindow: number;
  maxOutputTokens: number;
  params?: number;
  tags: string[];
  /** Embedding vector length. */
  dimensions: number;
  latency: SimLatency;
  limits: SimLimit[];
  /** Parameters this model refuses with a 400 (param-rejections.ts). */
  rejects?: SimRejects;
}

export const FAULT_KINDS = [
  'server-error',
  'reset',
  'stall',
  'stream-cut',
  'sse-error',
  'slow-first-token',
  'outage',
  'busy',
  'lower-limits',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SimFault {
  kind: FaultKind;
  /** Probability per request (seeded). */
  rate?: number;
  /** 1-based request numbers at this provider that get the fault. */
  at?: number[];
  /** Every Nth request at this provider. */
  every?: number;
  /** A period of fleet time, counted from the fleet's start: [fromMs, untilMs). */
  fromMs?: number;
  untilMs?: number;
  /** Only these canonical or upstream model ids; all when absent. */
  models?: string[];
  /** server-error, outage, busy: the status sent. */
  status?: number;
  /** slow-first-token: extra ms before the first token. */
  delayMs?: number;
  /** stream-cut: tokens sent before the cut. */
  afterTokens?: number;
  /** lower-limits: the enforced share of every advertised limit (0..1). */
  factor?: number;
}

export interface SimProvider {
  id: string;
  dialect: SimDialect;
  scope: SimScope;
  /** 'reserve': admission counts prompt + max_tokens (OpenAI, Cerebras); 'usage': prompt at admission, output afterwards. */
  admission: 'reserve' | 'usage';
  keys: string[];
  limits: SimLimit[];
  models: SimModel[];
  faults: SimFault[];
  /** Parameters every model of this provider refuses with a 400 (param-rejections.ts). */
  rejects?: SimRejects;
  /** Set on a fleet that is running or planned at known addresses (ends with /v1). */
  baseUrl?: string;
}

export interface FleetSpec {
  name?: string;
  providers: SimProvider[];
}
