/**
 * Same seed, same requests: same answers, latencies and faults. A different seed changes them.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { parseFleet, startFleet, type RunningFleet } from '../../src/simulator/index.js';
import { eventually } from '../support/eventually.js';
import { chat, untilAccepted } from './sim-client.js';

const FLEET = parseFleet(`
providers:
  - id: p
    latency: { ttftMs: 30, tokensPerSecond: 1000, jitter: 0.5 }
    faults: [{ kind: server-error, rate: 0.3 }]
    models: [{ id: m, maxOutputTokens: 200 }]
`);

async function run(seed: number): Promise<{ answers: string[]; statuses: number[]; latencies: number[] }> {
  const clock = new ManualClock();
  const fleet: RunningFleet = await startFleet(FLEET, { seed, clock });
  const answers: string[] = [];
  const statuses: number[] = [];
  const latencies: number[] = [];
  try {
    for (let i = 0; i < 12; i++) {
      const started = clock.now();
      let done = false;
      const pending = chat(fleet, 0, {
        model: 'm',
        messages: [{ role: 'user', content: `question ${i % 4}` }],
      }).finally(() => (done = true));
      await untilAccepted(fleet, 'p', i + 1);
      // Move fleet time from one sleeper's wake to the next until the answer is out: its latency, in
      // fleet ms. Time never moves while the answer is in flight, however slow the machine.
      for (let step = 0; step < 1000 && !done; step++) {
        const wakeAt = await Promise.race([pending.then(() => undefined), eventually(() => clock.nextWakeAt(), (at) => at !== undefined || done)]);
        if (wakeAt !== undefined) await clock.advance(wakeAt - clock.now());
      }
      const result = await pending;
      statuses.push(result.status);
      answers.push(
        result.status === 200
          ? (result.json as { choices: { message: { content: string } }[] }).choices[0]!.message.content
          : '',
      );
      latencies.push(result.status === 200 ? clock.now() - started : 0);
    }
  } finally {
    await fleet.close();
  }
  return { answers, statuses, latencies };
}

describe('determinism', () => {
  it('gives the same answers, latencies and faults under the same seed, and others under another seed', async () => {
    const first = await run(42);
    const second = await run(42);
    expect(second).toEqual(first);
    expect(first.statuses).toContain(500);
    expect(first.statuses).toContain(200);
    expect(first.latencies.filter((l) => l > 0).every((l) => l >= 15 && l <= 200)).toBe(true);
    const other = await run(43);
    expect(other).not.toEqual(first);
  });

  it('answers from the prompt: identical prompts, identical text; max_tokens cuts with finish_reason length', async () => {
    const fleet = await startFleet(
      parseFleet(
        'providers: [{ id: p, latency: { ttftMs: 0, tokensPerSecond: 0 }, models: [{ id: m, maxOutputTokens: 500 }] }]',
      ),
      { seed: 5 },
    );
    try {
      const body = { model: 'm', messages: [{ role: 'user', content: 'sim:tokens=40 tell me' }] };
      const a = (await chat(fleet, 0, body)).json as {
        choices: { message: { content: string }; finish_reason: string }[];
        usage: Record<string, number>;
      };
      const b = (await chat(fleet, 0, body)).json as typeof a;
      expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
      expect(a.usage.completion_tokens).toBe(40);
      expect(a.choices[0]!.finish_reason).toBe('stop');
      const cut = (await chat(fleet, 0, { ...body, max_tokens: 7 })).json as typeof a;
      expect(cut.usage).toMatchObject({ completion_tokens: 7, total_tokens: cut.usage.prompt_tokens! + 7 });
      expect(cut.choices[0]!.finish_reason).toBe('length');
      expect(a.choices[0]!.message.content.startsWith(cut.choices[0]!.message.content)).toBe(true);
    } finally {
      await fleet.close();
    }
  });
});
