// Requests of every task kind, as clients send them, with the features each must yield.
import type { TaskKind } from '../../src/routing/index.js';

export interface RequestFixture {
  name: string;
  body: Record<string, unknown>;
  kind: TaskKind;
  /** Inclusive difficulty bounds the request must land in. */
  difficulty: [number, number];
}

const user = (content: unknown) => [{ role: 'user', content }];

export const requestFixtures: RequestFixture[] = [
  {
    name: 'yes/no spam label',
    body: {
      messages: [
        { role: 'system', content: 'You are a spam filter. Answer only with yes or no.' },
        ...user('Is this spam? "You won a free cruise, click here"'),
      ],
      max_tokens: 1,
    },
    kind: 'classification',
    difficulty: [0, 0.19],
  },
  {
    name: 'sentiment',
    body: {
      messages: user(
        'Classify the sentiment of this review as positive, negative or neutral: "The battery died in a day."',
      ),
    },
    kind: 'classification',
    difficulty: [0, 0.19],
  },
  {
    name: 'entity extraction with a schema',
    body: {
      messages: user('Extract the names and dates from: "Ada met Charles on 5 June 1833."'),
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'people', schema: { type: 'object', properties: { names: { type: 'array' } } } },
      },
    },
    kind: 'extraction',
    difficulty: [0.15, 0.39],
  },
  {
    name: 'summary',
    body: {
      messages: user(
        `Summarize the following article in three sentences.\n\n${'The council met on Tuesday to discuss the budget. '.repeat(40)}`,
      ),
    },
    kind: 'summarization',
    difficulty: [0.2, 0.45],
  },
  {
    name: 'translation',
    body: { messages: user('Translate into French: "The train leaves at noon."') },
    kind: 'translation',
    difficulty: [0.2, 0.45],
  },
  {
    name: 'haiku',
    body: { messages: user('Write a haiku about autumn rain.'), temperature: 1 },
    kind: 'creative',
    difficulty: [0.3, 0.55],
  },
  {
    name: 'code fix',
    body: {
      messages: user(
        'Why does this throw?\n```ts\nconst x = JSON.parse(input);\nreturn x.items.map((i) => i.id);\n```',
      ),
    },
    kind: 'code',
    difficulty: [0.45, 0.75],
  },
  {
    name: 'code from words',
    body: { messages: user('Implement a Python function that merges overlapping intervals, with unit tests.') },
    kind: 'code',
    difficulty: [0.45, 0.75],
  },
  {
    name: 'hard proof',
    body: {
      messages: user('Prove rigorously that there are infinitely many primes of the form 4k+3, step by step.'),
      max_tokens: 4000,
    },
    kind: 'reasoning',
    difficulty: [0.8, 1],
  },
  {
    name: 'arithmetic word problem',
    body: {
      messages: user('A train travels 120 km in 1.5 hours. How many km does it travel in 4 hours at the same speed?'),
    },
    kind: 'reasoning',
    difficulty: [0.5, 0.8],
  },
  {
    name: 'small talk',
    body: {
      messages: [
        { role: 'user', content: 'Hi! How are you today?' },
        { role: 'assistant', content: 'Great, thanks!' },
        ...user('What should I cook tonight?'),
      ],
    },
    kind: 'chat',
    difficulty: [0.2, 0.45],
  },
];
