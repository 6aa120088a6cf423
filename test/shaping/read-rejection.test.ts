// What a 400 body teaches: the parameter it names and the range it states, across providers' shapes.
import { describe, expect, it } from 'vitest';
import { readRejection } from '../../src/shaping/read-rejection.js';
import { OutputLengths } from '../../src/shaping/output-lengths.js';

describe('readRejection', () => {
  it('reads OpenAI invalid_value with param and a bound', () => {
    const body = JSON.stringify({ error: { message: "Invalid value for 'temperature': expected a number ≤ 2.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } });
    expect(readRejection(body, { temperature: 3 })).toMatchObject({ kind: 'soft', param: 'temperature', rule: { action: 'clamp', max: 2 } });
  });

  it('reads a message-only Groq body as a drop', () => {
    const body = JSON.stringify({ error: { message: '`logprobs` is not supported with this model', type: 'invalid_request_error' } });
    expect(readRejection(body, { logprobs: true, temperature: 1 })).toMatchObject({ kind: 'soft', param: 'logprobs', rule: { action: 'drop' } });
  });

  it('ignores parameters the request did not send, and 400s that name nothing', () => {
    const body = JSON.stringify({ error: { message: "Invalid value for 'temperature': expected a number ≤ 2.", param: 'temperature' } });
    expect(readRejection(body, { top_p: 0.5 })).toBeUndefined();
    expect(readRejection(JSON.stringify({ error: { message: 'Please reduce the length of the messages.' } }), { temperature: 1 })).toBeUndefined();
  });

  it('reads a Gemini range in words, exclusive bound just under it', () => {
    const body = JSON.stringify({ error: { code: 400, message: 'Unable to submit request because it has a temperature value of 3 but the supported range is from 0 (inclusive) to 2.0001 (exclusive). Update the value and try again.', status: 'INVALID_ARGUMENT' } });
    const lesson = readRejection(body, { temperature: 3 });
    expect(lesson).toMatchObject({ kind: 'soft', param: 'temperature', rule: { action: 'clamp', min: 0 } });
    expect(lesson?.kind === 'soft' && lesson.rule.action === 'clamp' ? lesson.rule.max : 0).toBeCloseTo(1.9901, 4);
  });

  it('recognises a hard need and never turns it into a strip', () => {
    const body = JSON.stringify({ error: { message: 'This model does not support tools.', param: 'tools' } });
    expect(readRejection(body, { tools: [{ type: 'function' }] })).toMatchObject({ kind: 'hard', need: 'tools' });
  });
});

describe('OutputLengths', () => {
  it('answers quantiles within one bucket (~19%) above the truth, never below', () => {
    const lengths = new OutputLengths();
    for (let i = 1; i <= 100; i++) lengths.observe('m', 'chat', i * 10);
    const p95 = lengths.quantile('m', 'chat', 0.95) ?? 0;
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(950 * 1.2);
    expect(lengths.quantile('m', 'code', 0.95)).toBeUndefined();
    const copy = new OutputLengths();
    expect(copy.load(lengths.snapshot())).toBe(true);
    expect(copy.quantile('m', 'chat', 0.95)).toBe(p95);
  });
});
