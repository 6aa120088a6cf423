// Skip reasons are data the router decides on, and the configured token margin (a multiplier, the
// same meaning config and quota give it) is the one routing's context checks use.
import { describe, expect, it } from 'vitest';
import { FreewayError } from '../../src/core/errors.js';
import { createRouter, describeSkip } from '../../src/routing/index.js';
import { makeDeployment } from './make-deployment.js';

const prompt = 'lorem ipsum dolor sit amet '.repeat(200);
const ask = (maxTokens: number) => ({ model: 'small', max_tokens: maxTokens, messages: [{ role: 'user', content: prompt }] });
const small = (contextWindow: number, provider = 'p') => makeDeployment({ provider, model: 'small', contextWindow });

describe('skip reasons', () => {
  it('say a window is too small as data, with the text derived from it', () => {
    const router = createRouter({ deployments: [small(100_000), small(1_000, 'q')] });
    const verdict = router.resolve(ask(10)).explain().deployments.find((d) => d.provider === 'q');
    expect(verdict?.skip).toMatchObject({ kind: 'context_window', contextWindow: 1_000 });
    expect(verdict?.skipped).toBe(describeSkip(verdict!.skip!));
  });

  it('apply the configured margin as a multiplier: the same request fits at 1.0 and not at 2.0', () => {
    const estimate = createRouter({ deployments: [small(100_000)], tokenMargin: 1 }).resolve(ask(1)).features.promptTokens;
    // Room for the bare estimate plus one output token, not for twice the estimate.
    const window = estimate + 1;
    expect(createRouter({ deployments: [small(window)], tokenMargin: 1 }).resolve(ask(1)).candidates).toHaveLength(1);
    let error: unknown;
    try {
      createRouter({ deployments: [small(window)], tokenMargin: 2 }).resolve(ask(1));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(FreewayError);
    expect((error as FreewayError).code).toBe('context_length_exceeded');
  });
});
