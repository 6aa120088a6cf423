/**
 * The seeded mixed workload of bench/routing-mix.ts: classification, extraction, chat, code,
 * summarization and hard reasoning requests in fixed proportions, each asking the simulator for an
 * answer of a typical length (`sim:tokens=N`) so output size follows the task as it does in life.
 * Pure data: it never sends anything.
 */
import { seededRandom } from '../src/core/seeded-random.js';

export type WorkloadKind = 'classification' | 'extraction' | 'chat' | 'code' | 'summarization' | 'reasoning';

export interface WorkloadRequest {
  kind: WorkloadKind;
  body: Record<string, unknown>;
}

interface Template {
  kind: WorkloadKind;
  share: number;
  /** Answer length range, tokens. */
  output: [number, number];
  maxTokens: number;
  make(pick: <T>(items: readonly T[]) => T, n: number): Record<string, unknown>;
}

const user = (content: string) => [{ role: 'user', content }];
const reviews = ['The battery died in a day.', 'Fast delivery, works great.', 'It is fine, nothing special.', 'Broke after a week, refund please.'];
const topics = ['the city budget', 'a new railway line', 'the school year', 'a local election', 'river flooding'];
const functions = ['merges overlapping intervals', 'parses ISO dates', 'deduplicates a linked list', 'computes a moving average'];
const languages = ['Python', 'TypeScript', 'Go', 'Rust'];
const proofs = [
  'Prove rigorously that there are infinitely many primes of the form 4k+3, step by step.',
  'Prove that the square root of 2 is irrational, and then generalise the proof to every non-square integer. Show each step.',
  'Solve step by step: find all integer solutions of x^2 - 5y^2 = 1 with x < 1000, and prove your list is complete.',
];

const templates: Template[] = [
  {
    kind: 'classification',
    share: 0.25,
    output: [1, 3],
    maxTokens: 5,
    make: (pick) => ({
      messages: [
        { role: 'system', content: 'Classify the sentiment as positive, negative or neutral. Answer with one word.' },
        ...user(`Review: "${pick(reviews)}"`),
      ],
    }),
  },
  {
    kind: 'extraction',
    share: 0.15,
    output: [30, 120],
    maxTokens: 300,
    make: (pick, n) => ({
      messages: user(`Extract every person, place and date as JSON from: "${pick(['Ada', 'Grace', 'Alan'])} visited ${pick(['Paris', 'Oslo', 'Lima'])} on ${1 + (n % 28)} May 19${10 + (n % 80)}."`),
      response_format: { type: 'json_schema', json_schema: { name: 'entities', schema: { type: 'object', properties: { people: { type: 'array' } } } } },
    }),
  },
  {
    kind: 'chat',
    share: 0.2,
    output: [40, 250],
    maxTokens: 600,
    make: (pick) => ({
      messages: [
        { role: 'user', content: 'Hi! I have a free evening.' },
        { role: 'assistant', content: 'Nice! What do you feel like doing?' },
        ...user(`Something ${pick(['relaxing', 'social', 'creative', 'outdoors'])}. Any ideas?`),
      ],
    }),
  },
  {
    kind: 'code',
    share: 0.15,
    output: [150, 600],
    maxTokens: 1500,
    make: (pick) => ({ messages: user(`Implement a ${pick(languages)} function that ${pick(functions)}, with unit tests.`) }),
  },
  {
    kind: 'summarization',
    share: 0.15,
    output: [60, 200],
    maxTokens: 400,
    make: (pick, n) => ({
      messages: user(`Summarize the following article in three sentences.\n\n${`Officials met on day ${n} to discuss ${pick(topics)}. `.repeat(30 + (n % 40))}`),
    }),
  },
  {
    kind: 'reasoning',
    share: 0.1,
    output: [400, 1200],
    maxTokens: 4000,
    make: (pick) => ({ messages: user(pick(proofs)) }),
  },
];

/** `count` requests, kinds in the templates' proportions, shuffled by `seed`; `model` left for the caller. */
export function mixedWorkload(count: number, seed: number): WorkloadRequest[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const requests: WorkloadRequest[] = [];
  for (const template of templates) {
    const n = Math.round(count * template.share);
    for (let i = 0; i < n; i++) {
      const [low, high] = template.output;
      const length = Math.round(low + random() * (high - low));
      const body = template.make(pick, requests.length);
      const messages = body['messages'] as { role: string; content: string }[];
      const last = messages[messages.length - 1]!;
      // The simulator's length request rides at the end of the prompt, where it does not change the task.
      messages[messages.length - 1] = { ...last, content: `${last.content}\n(sim:tokens=${length})` };
      requests.push({ kind: template.kind, body: { ...body, max_tokens: template.maxTokens } });
    }
  }
  for (let i = requests.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [requests[i], requests[j]] = [requests[j]!, requests[i]!];
  }
  return requests;
}
