import { describe, expect, it } from 'vitest';
import { ChunkTemplate, chunkText, parsedChunk, setChunkModel, UnparsedChunk } from '../../src/core/unparsed-chunk.js';

/** A chunk as providers write it: `content` set in the delta of its one choice. */
const chunkText1 = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'up-model',
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
    usage: null,
    ...extra,
  });

const templateOf = (text: string) => ChunkTemplate.from(text, JSON.parse(text) as Record<string, unknown>);
const template = templateOf(chunkText1('Hello'))!;

describe('unparsed chunks', () => {
  it('a plain content delta with any well-formed content matches, and reads back as JSON.parse would', () => {
    for (const content of ['', ' world', 'say "hi"\n\tthen \\ leave', 'é ü 日本 😀', '\u0001 control', '</script>']) {
      const text = chunkText1(content);
      const chunk = template.match(text);
      expect(chunk, content).toBeInstanceOf(UnparsedChunk);
      expect(chunkText(chunk!)).toBe(text);
      expect(parsedChunk(chunk!)).toEqual(JSON.parse(text));
    }
  });

  it('a delta that repeats other fields in every chunk (OpenRouter sends the role each time) matches on them', () => {
    const openRouter = (content: string) =>
      JSON.stringify({
        id: 'gen-1',
        provider: 'Groq',
        model: 'meta-llama/llama-3.3-70b-instruct:free',
        object: 'chat.completion.chunk',
        created: 1,
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content },
            finish_reason: null,
            native_finish_reason: null,
            logprobs: null,
          },
        ],
      });
    const routerTemplate = templateOf(openRouter('Hi'))!;
    const chunk = routerTemplate.match(openRouter(' there'))!;
    expect(parsedChunk(chunk)).toEqual(JSON.parse(openRouter(' there')));
    expect(routerTemplate.match(openRouter(' there').replace('"role":"assistant"', '"role":"tool"'))).toBeUndefined();
  });

  it('renames the model in the text, as the parsed chunk renamed would serialise', () => {
    const text = chunkText1('a "quoted" word');
    const chunk = template.match(text)!;
    setChunkModel(chunk, 'llama/3.3 "70b"');
    const expected = { ...(JSON.parse(text) as Record<string, unknown>), model: 'llama/3.3 "70b"' };
    expect(JSON.parse(chunkText(chunk))).toEqual(expected);
    expect(parsedChunk(chunk)).toEqual(expected);
    // A model after the content is renamed in the suffix.
    const late = '{"id":"c1","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}],"model":"m"}';
    const lateChunk = templateOf(late)!.match(late.replace('"x"', '"y"'))!;
    setChunkModel(lateChunk, 'n');
    expect(chunkText(lateChunk)).toBe(late.replace('"x"', '"y"').replace('"m"', '"n"'));
  });

  it('anything that must be read does not match: finish, usage, error, other fields, another prefix, a malformed string', () => {
    const misses = [
      chunkText1('x').replace('"finish_reason":null', '"finish_reason":"stop"'),
      chunkText1('x', { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }),
      chunkText1('x', { error: { message: 'boom' } }),
      chunkText1('x').replace('"delta":{"content":"x"}', '"delta":{"content":"x","role":"assistant"}'),
      chunkText1('x').replace('"delta":{"content":"x"}', '"delta":{"content":"x","tool_calls":[{"index":0}]}'),
      chunkText1('x', { created: 2 }),
      chunkText1('x', { model: 'other' }),
      chunkText1('x').replace('"content":"x"', '"content":"a"b"'),
      chunkText1('x').replace('"content":"x"', '"content":"a\\qb"'),
      chunkText1('x').replace('"content":"x"', '"content":"a\\u12G4"'),
      chunkText1('x').replace('"content":"x"', '"content":"a\nb"'),
      chunkText1('x').replace('"content":"x"', '"content":"a\\"'),
      chunkText1('x').slice(0, -1),
    ];
    for (const text of misses) expect(template.match(text), text).toBeUndefined();
  });

  it('only a plain content delta with one plain model becomes a template', () => {
    const notTemplates = [
      chunkText1('x').replace('"finish_reason":null', '"finish_reason":"stop"'),
      chunkText1('x', { usage: { total_tokens: 2 } }),
      chunkText1('x').replace('"delta":{"content":"x"}', '"delta":{"content":null}'),
      chunkText1('x').replace('"delta":{"content":"x"}', '"delta":{"tool_calls":[]}'),
      JSON.stringify({ model: 'm', choices: [{ delta: { content: 'a' } }, { delta: { content: 'b' } }] }),
      JSON.stringify({
        model: 'm',
        choices: [{ delta: { content: 'a' }, finish_reason: null, extra: { model: 'm' } }],
      }),
      JSON.stringify({ model: 'm\\n', choices: [{ delta: { content: 'a' }, finish_reason: null }] }),
      JSON.stringify({ model: 'm', choices: [{ delta: { content: 'a' }, finish_reason: null }] }, null, 1),
    ];
    for (const text of notTemplates) expect(templateOf(text), text).toBeUndefined();
  });
});
