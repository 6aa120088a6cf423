/**
 * Names and canonical ids. One canonical id names one set of weights across providers, so
 * "Llama 3.3 70B" on Groq and "Llama 3.3 70B Instruct (FP8)" on Cloudflare form one pool. Also reads
 * what a model's own name states (parameter count, coder, vision, embedding): nothing is guessed beyond it.
 */
import type { ModelTag } from '../core/deployment.js';
import { addedDisplayNames } from './data/added-display-names.js';
import { upstreamDisplayNames } from './data/upstream-display-names.js';

/** The display name for an upstream id, or undefined when no table names it. Lookup is case-insensitive, as the original. */
export function displayNameFor(upstreamId: string): string | undefined {
  const key = upstreamId.toLowerCase();
  return upstreamDisplayNames[key] ?? addedDisplayNames[key] ?? addedDisplayNames[upstreamId];
}

// Words that name a packaging of the same weights (tuning label, quantisation, serving flavour), not other weights.
const packagingWords = new Set([
  'instruct',
  'it',
  'fp8',
  'fp16',
  'bf16',
  'int8',
  'awq',
  'fast',
  'versatile',
  'instant',
  'free',
]);

/**
 * The canonical id for a display name (or, when there is none, for an upstream id):
 * lower case, family spelling unified (Qwen 2.5 → qwen2.5), vendor prefixes and packaging words dropped.
 */
export function canonicalIdFor(name: string): string {
  const withoutVendor = name.includes('/') ? name.slice(name.lastIndexOf('/') + 1) : name;
  const words = withoutVendor
    .toLowerCase()
    .replace(/:free$/, '')
    .replace(/\+/g, ' plus')
    .replace(/\bqwen[\s-]+(\d+(?:\.\d+)?)(?![\d.]*b\b)/g, 'qwen$1')
    .replace(/^meta-llama-(\d)/, 'llama-$1')
    .replace(/^llama(\d)/, 'llama-$1')
    .split(/[^a-z0-9.]+/)
    .filter((word) => word !== '' && !packagingWords.has(word));
  return words.join('-').replace(/\.(?=-|$)/g, '');
}

/** Billions of parameters as the name states them; undefined for mixtures named by experts (8x7B, 16E). */
export function paramsFromName(name: string): number | undefined {
  if (/\d+x\d+(\.\d+)?b\b/i.test(name) || /\b\d+e\b/i.test(name)) return undefined;
  const match = /(?:^|[\s\-_/])(\d+(?:\.\d+)?)b\b/i.exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

const tagPatterns: [ModelTag, RegExp][] = [
  ['code', /cod(e|er|estral)|devstral|sqlcoder/i],
  ['vision', /vision|\bvl\b|-vl\b|pixtral|llava|multimodal|omni/i],
  ['reasoning', /reason|thinking|\bqwq\b|\br1\b|r1-|gpt-oss/i],
  ['embedding', /embed|\bbge\b|sentence-t5/i],
  ['audio', /whisper|\btts\b|-tts|orpheus|voxtral/i],
];

/** Tags the name itself states; tools and json are never inferred from a name. */
export function tagsFromName(...names: string[]): ModelTag[] {
  const text = names.join(' ');
  return tagPatterns.filter(([, pattern]) => pattern.test(text)).map(([tag]) => tag);
}
