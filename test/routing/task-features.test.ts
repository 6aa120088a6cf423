import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import { estimateTokens, extractTaskFeatures } from '../../src/routing/index.js';
import { tokensFromCharacters } from '../../src/routing/token-estimate.js';
import { requestFixtures } from './request-fixtures.js';

describe('extractTaskFeatures', () => {
  it.each(requestFixtures)('reads $name as $kind', ({ body, kind, difficulty }) => {
    const features = extractTaskFeatures(body);
    expect(features.kind).toBe(kind);
    expect(features.difficulty).toBeGreaterThanOrEqual(difficulty[0]);
    expect(features.difficulty).toBeLessThanOrEqual(difficulty[1]);
    expect(features.endpoint).toBe('chat');
  });

  it('ranks a hard proof harder than a yes/no label', () => {
    const [label, proof] = ['yes/no spam label', 'hard proof'].map((name) =>
      extractTaskFeatures(requestFixtures.find((f) => f.name === name)!.body),
    );
    expect(proof!.difficulty - label!.difficulty).toBeGreaterThan(0.6);
  });

  it('counts prompt tokens exactly for short prompts, with per-message framing', () => {
    const features = extractTaskFeatures({ messages: [{ role: 'user', content: 'Hello there, general Kenobi.' }] });
    expect(features.tokenCount).toBe('exact');
    expect(features.promptTokens).toBe(countTokens('Hello there, general Kenobi.') + 4);
  });

  it('estimates long prompts from their characters, within 16% of the exact count for prose, code, JSON and other languages', () => {
    const repo = (file: string) => readFileSync(join(import.meta.dirname, '../..', file), 'utf8').slice(0, 6_000);
    const texts = {
      prose: repo('README.md'),
      code: repo('src/gateway/chat.ts'),
      json: repo('package.json') + repo('tsconfig.json'),
      japanese: '自由なLLM APIの無料枠を一つのエンドポイントにまとめます。各プロバイダーの制限を守りながら、リクエストを振り分けます。'.repeat(40),
      russian: 'Бесплатные тарифы объединены в одну точку доступа. Шлюз соблюдает ограничения каждого поставщика. '.repeat(40),
      french: 'Le programme réunit les offres gratuites derrière un point d’accès unique et respecte les limites de chaque fournisseur. '.repeat(40),
      greek: 'Το πρόγραμμα συνδυάζει τις δωρεάν υπηρεσίες σε ένα σημείο πρόσβασης και σέβεται τα όρια κάθε παρόχου. '.repeat(40),
      thai: 'โปรแกรมนี้รวมบริการฟรีไว้ในจุดเดียวและเคารพขีดจำกัดของผู้ให้บริการแต่ละราย '.repeat(30),
      emoji: 'Great job 🎉 thanks 🙏 see you 👍 '.repeat(60),
      numbers: Array.from({ length: 300 }, (_, i) => `line ${i}: the value of item_${i} is ${(i * 7919) % 1000}.`).join('\n'),
    };
    for (const [kind, text] of Object.entries(texts)) {
      const estimate = estimateTokens(text);
      expect(estimate.exact, kind).toBe(false);
      const exact = countTokens(text);
      expect(Math.abs(estimate.tokens - exact) / exact, kind).toBeLessThan(0.16);
    }
  });

  it('reads a prompt of megabytes from three windows, close to reading all of it', () => {
    const repo = (file: string) => readFileSync(join(import.meta.dirname, '../..', file), 'utf8');
    // Prose first, code last: the windows see both, and the middle.
    const texts = [repo('README.md').repeat(20), repo('src/gateway/chat.ts').repeat(40)];
    const whole = texts.reduce((sum, text) => sum + tokensFromCharacters(text), 0);
    const estimate = estimateTokens(texts);
    expect(estimate.exact).toBe(false);
    expect(Math.abs(estimate.tokens - whole) / whole).toBeLessThan(0.1);
  });

  it('counts short prompts exactly, even split over several messages', () => {
    const parts = ['You are terse.', 'Name three colours.', 'Red, green, blue.', 'Three more?'];
    expect(estimateTokens(parts)).toEqual({ tokens: parts.reduce((sum, part) => sum + countTokens(part), 0), exact: true });
    expect(estimateTokens(['x'.repeat(300)]).exact).toBe(false);
  });

  it('reads max_completion_tokens before max_tokens', () => {
    expect(extractTaskFeatures({ messages: [], max_tokens: 100, max_completion_tokens: 50 }).maxTokens).toBe(50);
    expect(extractTaskFeatures({ messages: [], max_tokens: 100 }).maxTokens).toBe(100);
    expect(extractTaskFeatures({ messages: [] }).maxTokens).toBeUndefined();
  });

  it('detects tools, JSON mode, vision and long context', () => {
    const tools = [
      {
        type: 'function',
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    const withTools = extractTaskFeatures({ messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools });
    expect(withTools.needs).toMatchObject({ tools: true, json: false, vision: false });
    // Tool definitions are sent to the model, so they count as prompt.
    expect(withTools.promptTokens).toBeGreaterThan(
      extractTaskFeatures({ messages: [{ role: 'user', content: 'Weather in Oslo?' }] }).promptTokens + 10,
    );

    expect(
      extractTaskFeatures({ messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } })
        .needs.json,
    ).toBe(true);
    expect(
      extractTaskFeatures({ messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'text' } }).needs
        .json,
    ).toBe(false);

    const vision = extractTaskFeatures({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
    });
    expect(vision.needs.vision).toBe(true);
    expect(vision.promptTokens).toBeGreaterThan(700);

    const long = extractTaskFeatures({ messages: [{ role: 'user', content: 'word '.repeat(40_000) }] });
    expect(long.needs.longContext).toBe(true);
  });

  it('treats a body without messages as embeddings input', () => {
    const features = extractTaskFeatures({ model: 'text-embedding-004', input: ['alpha', 'beta'] });
    expect(features.endpoint).toBe('embeddings');
    expect(features.promptTokens).toBeGreaterThan(0);
  });

  it('ignores malformed parts instead of throwing', () => {
    const features = extractTaskFeatures({
      messages: [null, 3, { role: 'user', content: [null, { type: 'text' }, { type: 'text', text: 'ok' }] }],
      max_tokens: -5,
    });
    expect(features.maxTokens).toBeUndefined();
    expect(features.kind).toBe('chat');
  });
});
