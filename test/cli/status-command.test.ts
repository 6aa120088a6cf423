import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { renderStatus } from '../../src/cli/render-status.js';
import { chat, startQuotaStack, type QuotaStack } from '../quota-gateway/support.js';
import { startStack, type Stack } from '../support/start-stack.js';

/** Runs `freeway status` in-process with its own stdout; stderr is the process's (usage errors). */
async function status(argv: string[], env: Record<string, string> = {}, signal?: AbortSignal, onWrite?: (text: string) => void) {
  let stdout = '';
  const stdoutSink = { write: (text: string) => ((stdout += text), onWrite?.(text), true) };
  const code = await run(['status', ...argv], { status: { stdout: stdoutSink, env, ...(signal ? { signal } : {}) } });
  return { code, stdout };
}

describe('freeway status against a running gateway', () => {
  let stack: QuotaStack;
  beforeAll(async () => {
    stack = await startQuotaStack({
      start: Date.UTC(2026, 0, 14, 7, 50),
      providers: [
        { id: 'groq', dialect: 'groq', scope: 'organization', models: [{ id: 'q-model', limits: [{ requests: 30, per: 'minute' }, { requests: 1000, per: 'day' }] }] },
        { id: 'backup', dialect: 'openai', models: [{ id: 'q-model' }] },
      ],
    });
  });
  afterAll(async () => stack?.close());

  it('prints quota left and its reset per scope, breakers, the queue and batches', async () => {
    expect((await chat(stack.url, { model: 'groq/q-model' })).status).toBe(200);
    const { code, stdout } = await status(['--url', stack.url]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Freeway at ${stack.url}`);
    expect(stdout).toMatch(/queue high 0 normal 0 low 0/);
    expect(stdout).toMatch(/groq\s+groq:organization:q-model\s+30 requests\/minute\s+29\s+97%\s+\d+s/);
    expect(stdout).toMatch(/1000 requests\/day\s+999\s+100%\s+16h\d\dm/);
    expect(stdout).toMatch(/DEPLOYMENTS \(2, 0 breaker\(s\) not closed\)/);
    expect(stdout).toMatch(/backup\s+q-model\s+\S+\s+closed/);
    expect(stdout).toContain('(no batches)');
  });

  it('keeps refreshing with --watch until stopped', async () => {
    const controller = new AbortController();
    let renders = 0;
    const { code, stdout } = await status(['--url', `${stack.url}/v1`, '--watch'], {}, controller.signal, (text) => {
      if (text.includes('QUOTA') && ++renders === 2) controller.abort();
    });
    expect(code).toBe(0);
    expect(stdout.match(/^Freeway at /gm)).toHaveLength(2);
  });

  it('answers a bad or unreachable URL with one line on stderr and exit code 2', async () => {
    expect((await status(['--url', 'not a url'])).code).toBe(2);
    expect((await status(['--url', 'ftp://127.0.0.1'])).code).toBe(2);
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    expect((await status(['--url', `http://127.0.0.1:${port}`])).code).toBe(2);
  });
});

describe('freeway status with server.apiKeys', () => {
  const key = 'sk-status-test-key-0123456789';
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ overrides: { server: { apiKeys: [key] } } });
  });
  afterAll(async () => stack?.close());

  it('sends FREEWAY_API_KEY, and says to set it when it is missing', async () => {
    expect((await status(['--url', stack.freeway.url])).code).toBe(2);
    const { code, stdout } = await status(['--url', stack.freeway.url], { FREEWAY_API_KEY: key });
    expect(code).toBe(0);
    expect(stdout).toContain('QUOTA');
    expect(stdout).not.toContain(key);
  });
});

describe('renderStatus', () => {
  it('lists a finished batch (its state has no rate any more) without failing', () => {
    const text = renderStatus(
      {
        at: '2026-01-14T08:00:00.000Z',
        batches: [
          { id: 'batch_done', status: 'completed', endpoint: '/v1/chat/completions', request_counts: { total: 3, completed: 3, failed: 0 }, rate_per_minute: null, eta_seconds: 0 },
          { id: 'batch_running', status: 'in_progress', endpoint: '/v1/chat/completions', request_counts: { total: 10, completed: 4, failed: 1 }, rate_per_minute: 12.5, eta_seconds: 30 },
        ],
      },
      'http://127.0.0.1:8787',
    );
    expect(text).toMatch(/batch_done\s+completed\s+\/v1\/chat\/completions\s+3\/3\s+0\s+–/);
    expect(text).toMatch(/batch_running\s+in_progress\s+\S+\s+5\/10\s+1\s+12\.5\/min\s+30s/);
  });
});
