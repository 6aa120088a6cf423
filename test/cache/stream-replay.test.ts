import { describe, expect, it } from 'vitest';
import { chunksToCompletion, collectStream, completionToChunks, whyNotStorable } from '../../src/cache/index.js';
import { completion } from './fixtures.js';

const withTools: Record<string, unknown> = {
  ...completion(''),
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    },
  ],
};

describe('completionToChunks', () => {
  it('yields a role chunk, content, a finish chunk and the usage chunk when asked', () => {
    const chunks = completionToChunks(completion('Four.'), { includeUsage: true });
    expect(chunks.map((c) => c.object)).toEqual(Array(4).fill('chat.completion.chunk'));
    expect(chunks.map((c) => (c.choices as Array<{ delta: unknown }>)[0]?.delta)).toEqual([{ role: 'assistant', content: '' }, { content: 'Four.' }, {}, undefined]);
    expect((chunks[2]?.choices as Array<{ finish_reason: string }>)[0]?.finish_reason).toBe('stop');
    expect(chunks[3]).toMatchObject({ choices: [], usage: { total_tokens: 8 } });
    expect(chunks.slice(0, 3).every((c) => c.usage === null && c.id === 'chatcmpl-1' && c.model === 'llama-3.3-70b')).toBe(true);
  });

  it('leaves the usage chunk (and usage fields) out unless asked', () => {
    const chunks = completionToChunks(completion('Four.'));
    expect(chunks).toHaveLength(3);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
  });

  it('replays tool calls as indexed deltas', () => {
    const chunks = completionToChunks(withTools);
    const toolDelta = chunks.find((c) => JSON.stringify(c).includes('tool_calls"'));
    expect(toolDelta?.choices).toMatchObject([{ delta: { tool_calls: [{ index: 0, id: 'call_1' }, { index: 1, id: 'call_2' }] } }]);
  });
});

describe('chunksToCompletion', () => {
  it('round-trips a completion through its chunks', () => {
    expect(chunksToCompletion(completionToChunks(completion('Four.'), { includeUsage: true }))).toEqual(completion('Four.'));
    const { usage: _usage, ...toolsWithoutUsage } = withTools;
    expect(chunksToCompletion(completionToChunks(withTools))).toEqual(toolsWithoutUsage);
  });

  it('merges streamed text and tool-call argument pieces as a provider sends them', () => {
    const head = { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm' };
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...head, choices: [{ index: 0, delta, finish_reason: finish }] });
    const merged = chunksToCompletion([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Let me ' }),
      chunk({ content: 'check.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"q":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'lookup', arguments: '"x"}' } }] }),
      chunk({}, 'tool_calls'),
      { ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    ]);
    expect(merged).toEqual({
      ...{ id: 'c', created: 1, model: 'm', object: 'chat.completion' },
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Let me check.',
            tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
  });

  it('turns a stream cut before its finish chunk into an answer the cache refuses', () => {
    const cut = completionToChunks(completion('Four.')).slice(0, 2);
    const merged = chunksToCompletion(cut);
    expect(whyNotStorable('chat', merged)).toMatch(/truncated/);
  });
});

describe('collectStream', () => {
  it('hands over the chunks only when the stream ends normally', async () => {
    const completed: number[][] = [];
    async function* source(fail: boolean) {
      yield 1;
      yield 2;
      if (fail) throw new Error('cut');
    }
    const seen: number[] = [];
    for await (const n of collectStream(source(false), (chunks) => void completed.push(chunks))) seen.push(n);
    expect(seen).toEqual([1, 2]);
    await expect(
      (async () => {
        for await (const _ of collectStream(source(true), (chunks) => void completed.push(chunks)));
      })(),
    ).rejects.toThrow('cut');
    for await (const _ of collectStream(source(false), (chunks) => void completed.push(chunks))) break;
    expect(completed).toEqual([[1, 2]]);
  });
});
