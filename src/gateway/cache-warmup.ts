/**
 * Cache warm-up: the requests listed in `cache.warmup` run once at start, in the background, one at
 * a time and at low priority, through the same pipeline as a client's (so an answer already cached,
 * say on disk from the last run, costs no upstream call). It must never fail or delay start-up.
 */
import { warmUp } from '../cache/index.js';
import type { CacheCoordinator } from './cache-coordinator.js';
import type { Gateway, GatewayResult, JsonBody } from './types.js';

export interface WarmUpDeps {
  /** The gateway's own entry points: a warm-up request takes the client's path. */
  chat: Gateway['chat'];
  embeddings: Gateway['embeddings'];
  background: CacheCoordinator['background'];
}

export function startCacheWarmUp(deps: WarmUpDeps, requests: ReadonlyArray<JsonBody>, options: { maxWaitMs: number; log: (line: string) => void }): void {
  if (requests.length === 0) return;
  deps.background('cache warm-up', async (signal) => {
    const run = async (request: JsonBody): Promise<void> => {
      const context = { requestId: 'cache-warmup', priority: 'low' as const, maxWaitMs: options.maxWaitMs, signal };
      // A request with `input` and no `messages` is an embedding request.
      const result = request['input'] !== undefined && request['messages'] === undefined
        ? await deps.embeddings(request, context)
        : await deps.chat(request, context);
      await drain(result);
    };
    const { succeeded, failed } = await warmUp(requests, run);
    const reasons = failed.map(({ index, error }) => `#${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
    options.log(`cache warm-up: ${succeeded} of ${requests.length} answers ready${reasons.length > 0 ? `; failed ${reasons.join('; ')}` : ''}`);
  });
}

/** A streamed answer is stored once read to its end. */
async function drain(result: GatewayResult): Promise<void> {
  if (result.kind === 'stream') for await (const chunk of result.chunks) void chunk;
}
