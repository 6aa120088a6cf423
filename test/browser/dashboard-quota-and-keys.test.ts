import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/simulator/index.js';
import { chat, startQuotaStack, type QuotaStack } from '../quota-gateway/support.js';
import { startStack, type Stack } from '../support/start-stack.js';
import { hasChromium, launchChromium, sendChat } from './browser.js';

// 23:50 in Los Angeles: Gemini's daily quota comes back at 08:00 UTC, ten minutes later.
const START = Date.UTC(2026, 0, 14, 7, 50);

describe.skipIf(!hasChromium)('the dashboard in a browser: parking and sign-in', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  describe('a provider parked on a daily quota it never declared', () => {
    let stack: QuotaStack;
    beforeAll(async () => {
      stack = await startQuotaStack({
        start: START,
        providers: [
          { id: 'gemini', dialect: 'gemini', scope: 'project', resetTimeZone: 'America/Los_Angeles', models: [{ id: 'g-model', limits: [{ requests: 2, per: 'day' }] }] },
          { id: 'backup', dialect: 'openai', models: [{ id: 'g-model' }] },
        ],
        // The gateway is told nothing of Gemini's limit: it learns it from the 429 and parks the scope.
        configure: (config: GatewayConfig) => {
          const gemini = config.providers.find((p) => p.id === 'gemini')!;
          delete gemini.limits;
          for (const model of gemini.models) delete model.limits;
        },
      });
    });
    afterAll(async () => stack?.close());

    it('shows the parked scope with its reset and the reason', async () => {
      for (let i = 0; i < 2; i++) expect((await chat(stack.url, { model: 'gemini/g-model' })).status).toBe(200);
      expect((await chat(stack.url, { model: 'g-model', maxWaitMs: 0 })).headers.get('x-freeway-provider')).toBe('backup');

      const page = await browser.newPage();
      await page.goto(`${stack.url}/ui`);
      const parked = page.locator('[data-parked="gemini:project:g-model"]');
      await parked.waitFor();
      const text = (await parked.textContent()) ?? '';
      expect(text).toMatch(/parked until .* \(resets in (9|10) min.*\) · day: GenerateRequestsPerDayPerProjectPerModel-FreeTier/);
      // The 429 the discovery cost shows in the upstream chart, and the client never saw it.
      await page.waitForFunction(() => {
        const charts = (globalThis as unknown as { freewayCharts: Record<string, { plot: { data: (number | null)[][] } }> }).freewayCharts;
        return (charts['chart-upstream']?.plot.data[2] ?? []).reduce<number>((a, b) => a + (b ?? 0), 0) === 1;
      });
      await page.close();
    });
  });

  describe('with server.apiKeys', () => {
    const key = 'sk-dashboard-test-key-0123456789';
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ overrides: { server: { apiKeys: [key] } } });
    });
    afterAll(async () => stack?.close());

    it('asks for a key, refuses a wrong one, and goes live with the right one', async () => {
      const page = await browser.newPage();
      await page.goto(`${stack.freeway.url}/ui`);
      await page.waitForSelector('#sign-in:not([hidden])');
      expect(await page.isHidden('#main')).toBe(true);

      await page.fill('#key-input', 'sk-wrong');
      await page.click('#sign-in button');
      await page.locator('#sign-in-error', { hasText: 'That key was refused.' }).waitFor();

      await page.fill('#key-input', key);
      await page.click('#sign-in button');
      await page.waitForSelector('#connection[data-state="live"]');
      await page.waitForSelector('[data-provider] .limit');
      const id = `keyed-${Date.now()}`;
      expect((await sendChat(stack.freeway.url, { model: 'auto' }, { authorization: `Bearer ${key}`, 'x-request-id': id })).status).toBe(200);
      await page.locator(`tr[data-request="${id}"]`).waitFor();
      // The key went in a header once; the page keeps only an HttpOnly session cookie.
      expect(await page.evaluate('document.cookie')).toBe('');
      expect(String(await page.evaluate('JSON.stringify({ ...sessionStorage, ...localStorage })'))).not.toContain(key);
      expect((await page.context().cookies()).map((c) => [c.name, c.httpOnly])).toEqual([['freeway_ui', true]]);
      await page.close();
    });
  });
});
