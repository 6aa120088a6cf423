// Embedding calls teach the gateway like chat calls do: a success reaches the latency predictor,
// the adaptive first-token timeouts and the `ok` upstream-call metric (before the call lease only
// their failures did, so embedding deployments looked worse than they were).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';
import { metric } from '../cache-gateway/support.js';

interface DeploymentState {
  id: string;
  provider: string;
  model: string;
  firstTokenTimeoutMs: number;
  latency: { samples: number } | null;
}

/** AdaptiveTimeouts' default minimum of samples before it trusts its own quantiles. */
const TIMEOUT_SAMPLES = 20;

describe('embedding successes', () => {
  let stack: Stack;
  let url: string;
  let model = '';
  beforeAll(async () => {
    stack = await startStack({
      fleetYaml: JSON.stringify({
        providers: [
          {
            id: 'embedder',
            dialect: 'openai',
            latency: { ttftMs: 5, tokensPerSecond: 2000, jitter: 0 },
            models: [{ id: 'embed-small', kind: 'embedding' }],
          },
        ],
      }),
      overrides: { cache: { mode: 'off' }, resilience: { firstTokenTimeoutMs: { min: 1000, max: 30_000 } } },
    });
    url = stack.freeway.url;
    model = 'embed-small';
  });
  afterAll(async () => {
    await stack?.close();
  });

  const deploymentsOf = async (): Promise<DeploymentState[]> => {
    const state = (await (await fetch(`${url}/v1/freeway/state`)).json()) as { deployments: DeploymentState[] };
    return state.deployments.filter((d) => d.model === model);
  };

  it('reach the predictor, the adaptive timeouts and the ok metric', async () => {
    const before = await deploymentsOf();
    expect(before.length).toBeGreaterThan(0);
    for (const d of before) expect(d.latency).toBeNull();
    for (const d of before) expect(d.firstTokenTimeoutMs).toBe(15_000);

    const served = new Map<string, number>();
    for (let i = 0; i < TIMEOUT_SAMPLES; i++) {
      const response = await fetch(`${url}/v1/embeddings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, input: `sentence number ${i}` }),
      });
      expect(response.status).toBe(200);
      const provider = response.headers.get('x-freeway-provider') ?? '';
      served.set(provider, (served.get(provider) ?? 0) + 1);
    }

    const after = await deploymentsOf();
    for (const [provider, calls] of served) {
      expect(calls).toBe(TIMEOUT_SAMPLES);
      expect(await metric(url, 'freeway_upstream_calls_total', { provider, model, outcome: 'ok' })).toBe(calls);
      const deployment = after.find((d) => d.provider === provider);
      expect(deployment?.latency?.samples).toBe(calls);
      // With enough samples the timeout follows the (fast) simulated latency: down to its minimum.
      expect(deployment?.firstTokenTimeoutMs).toBe(1000);
    }
    expect([...served.keys()]).toEqual(['embedder']);
  });
});
