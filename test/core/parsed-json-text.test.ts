import { describe, expect, it } from 'vitest';
import { forgetJsonText, jsonTextOf, rememberJsonText } from '../../src/core/parsed-json-text.js';

const parsed = (text: string): Record<string, unknown> => {
  const value = JSON.parse(text) as Record<string, unknown>;
  rememberJsonText(value, text);
  return value;
};

describe('parsed JSON text', () => {
  it('sends the upstream text of an unchanged chunk as it came', () => {
    const text = '{"id":"c1", "model":"m","choices":[]}';
    expect(jsonTextOf(parsed(text))).toBe(text);
  });

  it('swaps only the model when the gateway renamed it', () => {
    const chunk = parsed('{"id":"c1","model":"up\\"stream","choices":[{"delta":{"content":"say \\"model\\":\\"x\\""}}]}');
    chunk['model'] = 'auto';
    expect(JSON.parse(jsonTextOf(chunk))).toEqual(JSON.parse(JSON.stringify(chunk)));
    expect(jsonTextOf(chunk)).toContain('"model":"auto"');
  });

  it('renames right when streams with different models interleave (the swap strings are reused)', () => {
    const rename = (from: string, to: string) => {
      const chunk = parsed(`{"model":${JSON.stringify(from)},"choices":[]}`);
      chunk['model'] = to;
      return jsonTextOf(chunk);
    };
    expect(rename('up-a', 'a')).toBe('{"model":"a","choices":[]}');
    expect(rename('up-b', 'b')).toBe('{"model":"b","choices":[]}');
    expect(rename('up-a', 'other')).toBe('{"model":"other","choices":[]}');
    expect(rename('up-a', 'a')).toBe('{"model":"a","choices":[]}');
  });

  it('serialises afresh when the model appears twice, is spaced, or the object was copied or forgotten', () => {
    const twice = parsed('{"model":"m","choices":[{"model":"m"}]}');
    twice['model'] = 'n';
    expect(JSON.parse(jsonTextOf(twice))).toEqual({ model: 'n', choices: [{ model: 'm' }] });
    const spaced = parsed('{"model": "m","choices":[]}');
    spaced['model'] = 'n';
    expect(jsonTextOf(spaced)).toBe('{"model":"n","choices":[]}');
    const original = parsed('{"model":"m","choices":[]}');
    expect(jsonTextOf({ ...original, extra: 1 })).toBe('{"model":"m","choices":[],"extra":1}');
    original['choices'] = [1];
    forgetJsonText(original);
    expect(jsonTextOf(original)).toBe('{"model":"m","choices":[1]}');
  });

  it('keeps text that spans lines as it came (a pretty-printed answer)', () => {
    const text = '{\n  "model": "m",\n  "choices": []\n}';
    expect(jsonTextOf(parsed(text))).toBe(text);
  });
});
