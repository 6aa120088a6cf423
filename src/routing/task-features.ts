/**
 * Task features: what a request needs and how hard it looks, read from the OpenAI body with cheap
 * signals only (a handful of regexes over a bounded slice of text, one token estimate) so it
 * stays well under a millisecond. It never calls a model, never reads the network, never mutates
 * the body, and never rejects a request: judging the features is the router's job.
 */
import { estimateTokens } from './token-estimate.js';

export const taskKinds = [
  'code',
  'classification',
  'extraction',
  'summarization',
  'translation',
  'creative',
  'reasoning',
  'chat',
] as const;
export type TaskKind = (typeof taskKinds)[number];

export interface TaskNeeds {
  tools: boolean;
  json: boolean;
  vision: boolean;
  /** The prompt alone is beyond what small windows (32k) hold. */
  longContext: boolean;
}

export interface TaskFeatures {
  endpoint: 'chat' | 'embeddings';
  /** Estimated prompt tokens: messages, tool definitions, images. An OpenAI-vocabulary estimate. */
  promptTokens: number;
  /** `exact` when every character went through the tokenizer, `estimated` when counted from characters (long prompts). */
  tokenCount: 'exact' | 'estimated';
  /** `max_completion_tokens` or `max_tokens`, when the client set one. */
  maxTokens: number | undefined;
  kind: TaskKind;
  /** The cheap signals that decided `kind` and `difficulty`, for explanations. */
  signals: string[];
  needs: TaskNeeds;
  /** 0 (a yes/no label) .. 1 (a hard proof). */
  difficulty: number;
  messages: number;
}

/** Per-message framing tokens (role markers), as OpenAI counts them. */
const messageOverhead = 4;
/** A mid-size image at high detail; providers differ, so this is a planning figure, not a bill. */
const imageTokens = 765;
const longContextTokens = 32_000;
/** Only this much of the instruction text is scanned for signals: beginnings and ends carry the ask. */
const scanHead = 1_500;
const scanTail = 1_000;

interface KindRule {
  kind: TaskKind;
  pattern: RegExp;
  weight: number;
  signal: string;
}

const kindRules: KindRule[] = [
  { kind: 'code', pattern: /```/, weight: 2, signal: 'code fence' },
  {
    kind: 'code',
    pattern:
      /\b(def|fn|func|function)\s+\w+\s*\(|\bclass\s+\w+\s*[:{(]|\b(const|let|var)\s+\w+\s*=|\bimport\s+[\w{*]|#include\s*<|\bSELECT\b[^;]{1,200}\bFROM\b|=>|\)\s*\{/,
    weight: 1.5,
    signal: 'program text',
  },
  {
    kind: 'code',
    pattern:
      /\b(code|function|bug|debug|refactor|implement|compile[rs]?|stack ?trace|python|typescript|javascript|rust|golang|java|c\+\+|sql|regex|unit tests?|api endpoint)\b/i,
    weight: 1.2,
    signal: 'programming words',
  },
  {
    kind: 'classification',
    pattern:
      /\b(classify|categori[sz]e|label (this|the|each)|sentiment|which category|is (this|it) (spam|positive|negative|toxic)|one of the following)\b/i,
    weight: 2,
    signal: 'classify',
  },
  {
    kind: 'classification',
    pattern:
      /\b(answer|reply|respond) (only )?with (only )?(yes|no|true|false|a single (word|label|letter))\b|\byes or no\b/i,
    weight: 2,
    signal: 'short label answer',
  },
  {
    kind: 'extraction',
    pattern:
      /\b(extract|pull out|parse (the|this)|list (all|every) (the )?(names|dates|entities|emails|fields)|named entities|fill (in )?the (fields|schema))\b/i,
    weight: 2,
    signal: 'extract',
  },
  {
    kind: 'summarization',
    pattern: /\b(summari[sz]e|summary|tl;?dr|key points|condense|in (one|two|three|a few) sentences)\b/i,
    weight: 2,
    signal: 'summarize',
  },
  {
    kind: 'translation',
    pattern:
      /\btranslat(e|ion)\b|\b(into|to) (english|french|german|spanish|italian|portuguese|japanese|chinese|korean|russian|arabic|hindi|dutch|polish|turkish)\b/i,
    weight: 2.5,
    signal: 'translate',
  },
  {
    kind: 'creative',
    pattern: /\b(poem|story|haiku|limerick|song|lyrics|sonnet|fiction|screenplay|slogan|creative|fairy tale)\b/i,
    weight: 2,
    signal: 'creative writing',
  },
  {
    kind: 'reasoning',
    pattern:
      /\b(prove|proof|theorem|lemma|integral|derivative|equation|solve for|probability|how many|step[- ]by[- ]step|logic puzzle|riddle|calculate|optimi[sz]e)\b/i,
    weight: 2,
    signal: 'math or reasoning',
  },
  {
    kind: 'reasoning',
    pattern: /\\(frac|int|sum|sqrt)|\d+\s*[-+*/^]\s*\d+\s*=|\b[xyn]\^\d/,
    weight: 1.5,
    signal: 'formula',
  },
];

/** Base difficulty by kind: how much model a typical instance needs. */
const kindDifficulty: Record<TaskKind, number> = {
  classification: 0.1,
  extraction: 0.25,
  translation: 0.3,
  summarization: 0.3,
  chat: 0.3,
  creative: 0.4,
  code: 0.55,
  reasoning: 0.65,
};

const hardWords =
  /\b(rigorous(ly)?|formal(ly)?|prove that|for all|complex|architecture|distributed|concurren(t|cy)|edge cases|optimal|trade-?offs?|in depth|detailed analysis|research|multi-step|olympiad|np-hard|asymptotic)\b/i;
const easyWords =
  /\b(one word|single word|briefly|short answer|just the (answer|label|number)|only the (answer|label)|quick question|simple)\b/i;

export function extractTaskFeatures(body: Record<string, unknown>): TaskFeatures {
  const rawMessages = Array.isArray(body.messages) ? (body.messages as unknown[]) : undefined;
  if (!rawMessages) return embeddingFeatures(body);

  // Texts stay separate strings: joining a long prompt into one would cost more than the whole budget.
  const texts: string[] = [];
  let instruction: string[] = [];
  let systemText: string[] = [];
  let images = 0;
  for (const message of rawMessages) {
    if (!isRecord(message)) continue;
    const content = contentText(message.content);
    images += content.images;
    texts.push(...content.texts);
    // The last user turn states the task; the system prompt frames it.
    if (message.role === 'user') instruction = content.texts;
    if ((message.role === 'system' || message.role === 'developer') && systemText.length === 0)
      systemText = content.texts;
  }
  const tools = Array.isArray(body.tools) && body.tools.length > 0 ? body.tools : undefined;
  if (tools) texts.push(JSON.stringify(tools));

  const counted = estimateTokens(texts);
  const promptTokens = counted.tokens + messageOverhead * rawMessages.length + imageTokens * images;
  const maxTokens = positiveInteger(body.max_completion_tokens) ?? positiveInteger(body.max_tokens);
  const responseFormat = isRecord(body.response_format) ? body.response_format : undefined;
  const json = responseFormat?.type === 'json_object' || responseFormat?.type === 'json_schema';
  const needs: TaskNeeds = {
    tools: tools !== undefined,
    json,
    vision: images > 0,
    longContext: promptTokens > longContextTokens,
  };

  const scanned = (systemText[0] ?? '').slice(0, scanHead) + '\n' + scanWindow(instruction);
  const { kind, signals } = classify(scanned, responseFormat);
  const difficulty = rateDifficulty({ kind, scanned, promptTokens, maxTokens, needs, signals });
  return {
    endpoint: 'chat',
    promptTokens,
    tokenCount: counted.exact ? 'exact' : 'estimated',
    maxTokens,
    kind,
    signals,
    needs,
    difficulty,
    messages: rawMessages.length,
  };
}

function scanWindow(texts: readonly string[]): string {
  const first = texts[0] ?? '';
  const last = texts[texts.length - 1] ?? '';
  if (texts.length === 1 && first.length <= scanHead + scanTail) return first;
  return first.slice(0, scanHead) + '\n' + last.slice(-scanTail);
}

function embeddingFeatures(body: Record<string, unknown>): TaskFeatures {
  const input = body.input;
  const texts =
    typeof input === 'string' ? [input] : Array.isArray(input) ? input.filter((i) => typeof i === 'string') : [];
  const counted = estimateTokens(texts);
  return {
    endpoint: 'embeddings',
    promptTokens: counted.tokens,
    tokenCount: counted.exact ? 'exact' : 'estimated',
    maxTokens: undefined,
    kind: 'extraction',
    signals: ['embedding input'],
    needs: { tools: false, json: false, vision: false, longContext: counted.tokens > longContextTokens },
    difficulty: 0,
    messages: 0,
  };
}

function contentText(content: unknown): { texts: string[]; images: number } {
  if (typeof content === 'string') return { texts: [content], images: 0 };
  if (!Array.isArray(content)) return { texts: [], images: 0 };
  const texts: string[] = [];
  let images = 0;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (part.type === 'image_url' || part.type === 'input_image') images += 1;
  }
  return { texts, images };
}

function classify(
  text: string,
  responseFormat: Record<string, unknown> | undefined,
): { kind: TaskKind; signals: string[] } {
  const scores = new Map<TaskKind, number>();
  const signals: string[] = [];
  for (const rule of kindRules) {
    if (!rule.pattern.test(text)) continue;
    scores.set(rule.kind, (scores.get(rule.kind) ?? 0) + rule.weight);
    signals.push(rule.signal);
  }
  // A schema with named fields asks for structure pulled out of text.
  if (responseFormat?.type === 'json_schema') {
    scores.set('extraction', (scores.get('extraction') ?? 0) + 1.5);
    signals.push('json schema');
  }
  let kind: TaskKind = 'chat';
  let best = 0;
  for (const [candidate, score] of scores) {
    if (score > best) [kind, best] = [candidate, score];
  }
  return { kind, signals };
}

function rateDifficulty(input: {
  kind: TaskKind;
  scanned: string;
  promptTokens: number;
  maxTokens: number | undefined;
  needs: TaskNeeds;
  signals: string[];
}): number {
  const { kind, scanned, promptTokens, maxTokens, needs, signals } = input;
  let difficulty = kindDifficulty[kind];
  if (hardWords.test(scanned)) {
    difficulty += 0.2;
    signals.push('hard words');
  }
  if (easyWords.test(scanned)) {
    difficulty -= 0.1;
    signals.push('short answer');
  }
  // Long inputs to reason over, and long answers to keep coherent, both ask more of a model.
  if (promptTokens > 8_000) difficulty += 0.1;
  if (promptTokens > longContextTokens) difficulty += 0.05;
  if (maxTokens !== undefined && maxTokens <= 16) difficulty -= 0.1;
  if (maxTokens !== undefined && maxTokens >= 4_000) difficulty += 0.1;
  if (needs.tools) difficulty += 0.1;
  return Math.round(Math.min(1, Math.max(0, difficulty)) * 100) / 100;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
