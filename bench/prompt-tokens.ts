/**
 * npm run bench:prompt — what reading a request's prompt costs Freeway (task features: the token
 * estimate and the kind and difficulty signals, src/routing/task-features.ts) on prompts like real
 * ones, beside the baseline of counting every token exactly with the same tokenizer, in the same run.
 *
 * Prompts are slices of this repository's prose and code (real BPE work: repeated words would flatter
 * any tokenizer's cache), each unique. Two kinds of traffic:
 * - single prompts of 300, 2,000 and 8,000 characters, none seen before;
 * - conversations: a shared 1,500-character system prompt, then turns of about 500 characters
 *   (user and assistant), the whole history sent with every request, as chat clients do.
 * The two runs alternate first place prompt by prompt, so neither warms the tokenizer for the other.
 * The error columns are Freeway's estimate against the exact count (what quota and context checks
 * see); src/routing/token-estimate.ts says how the estimate is made.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer';
import { extractTaskFeatures } from '../src/routing/index.js';
import { seededRandom } from '../src/core/seeded-random.js';
import { median, printTable, round, writeResult } from './support.js';

const root = join(import.meta.dirname, '..');
const corpus = ['README.md', 'freeway.example.yaml', 'src/routing/task-features.ts', 'src/gateway/chat.ts', 'src/quota/quota-ledger.ts', 'src/cache/response-cache.ts']
  .map((file) => readFileSync(join(root, file), 'utf8'))
  .join('\n\n');
const random = seededRandom(11);
const slice = (length: number): string => {
  const at = Math.floor(random() * (corpus.length - length));
  return corpus.slice(at, at + length);
};

type Message = { role: string; content: string };
const MESSAGE_FRAMING = 4; // tokens per message, as task-features counts them

interface Sample {
  freewayUs: number;
  exactUs: number;
  error: number;
}

function measure(messages: Message[], freewayFirst: boolean): Sample {
  const body = { model: 'auto', messages };
  let estimate = 0;
  let exact = 0;
  let freewayUs = 0;
  let exactUs = 0;
  const runFreeway = () => {
    const started = process.hrtime.bigint();
    estimate = extractTaskFeatures(body).promptTokens;
    freewayUs = Number(process.hrtime.bigint() - started) / 1000;
  };
  const runExact = () => {
    const started = process.hrtime.bigint();
    for (const message of messages) exact += countTokens(message.content) + MESSAGE_FRAMING;
    exactUs = Number(process.hrtime.bigint() - started) / 1000;
  };
  for (const run of freewayFirst ? [runFreeway, runExact] : [runExact, runFreeway]) run();
  return { freewayUs, exactUs, error: Math.abs(estimate - exact) / exact };
}

function summarise(traffic: string, samples: Sample[]): Record<string, string | number> {
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const freeway = mean(samples.map((s) => s.freewayUs));
  const exact = mean(samples.map((s) => s.exactUs));
  return {
    traffic,
    requests: samples.length,
    'freeway µs/request': round(freeway, 1),
    'exact count µs/request': round(exact, 1),
    'freeway/exact': round(freeway / exact),
    'median error %': round(100 * median(samples.map((s) => s.error)), 1),
    'max error %': round(100 * Math.max(...samples.map((s) => s.error)), 1),
  };
}

// Warm-up: both paths compiled before anything is timed (on text the runs below do not use).
for (let i = 0; i < 200; i++) measure([{ role: 'user', content: `${i} ${slice(600)}` }], i % 2 === 0);

const rows: Record<string, string | number>[] = [];
for (const length of [300, 2_000, 8_000]) {
  const samples = Array.from({ length: 300 }, (_, i) => measure([{ role: 'user', content: slice(length) }], i % 2 === 0));
  rows.push(summarise(`single prompt, ${length} chars`, samples));
}

const system = { role: 'system', content: slice(1_500) };
const conversations: Sample[] = [];
for (let conversation = 0; conversation < 30; conversation++) {
  const history: Message[] = [system];
  for (let turn = 0; turn < 10; turn++) {
    history.push({ role: 'user', content: slice(400 + Math.floor(random() * 200)) });
    conversations.push(measure(history.slice(), (conversation + turn) % 2 === 0));
    history.push({ role: 'assistant', content: slice(400 + Math.floor(random() * 200)) });
  }
}
rows.push(summarise('conversations, 10 turns, whole history each request', conversations));

printTable('prompt reading per request: Freeway task features vs an exact token count (same tokenizer, same run)', rows);
console.log(`wrote ${writeResult('prompt-tokens', { rows })}`);
