import OpenAI, { toFile } from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../support/start-stack.js';
import { hasChromium, launchChromium, sendChat } from './browser.js';

/** The sum of one chart's series (uPlot keeps its data on the instance the page holds in `charts`). */
const chartTotal = (page: Page, chart: string, seriesIndex: number) =>
  page.evaluate(
    ([id, index]) => {
      const charts = (globalThis as unknown as { freewayCharts: Record<string, { plot: { data: (number | null)[][] } }> }).freewayCharts;
      return (charts[id]?.plot.data[index] ?? []).reduce<number>((sum, value) => sum + (value ?? 0), 0);
    },
    [chart, seriesIndex] as const,
  );

describe.skipIf(!hasChromium)('the dashboard in a browser, against the demo fleet', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${stack.freeway.url}/ui`);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('loads live: every provider of the fleet with its quota bars and the time to their reset', async () => {
    await page.waitForSelector('#connection[data-state="live"]');
    await page.waitForSelector('[data-provider="groq"] .limit');
    const providers = await Promise.all((await page.locator('[data-provider]').all()).map((card) => card.getAttribute('data-provider')));
    expect(providers.sort()).toEqual(stack.fleet.providers.map((p) => p.id).sort());
    const firstLimit = await page.textContent('[data-scope="groq:organization:llama-3.3-70b"] .limit');
    expect(firstLimit).toMatch(/30 requests\/minute.*resets in/);
    expect(errors).toEqual([]);
  });

  it('shows new requests as rows and in the charts, and explains one on click', async () => {
    const id = `dash-${Date.now()}`;
    expect((await sendChat(stack.freeway.url, { model: 'llama-3.3-70b', temperature: 0 }, { 'x-request-id': id })).status).toBe(200);
    expect((await sendChat(stack.freeway.url, { model: 'llama-3.3-70b', temperature: 0 }, { 'x-request-id': `${id}-again` })).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await sendChat(stack.freeway.url, { model: 'auto:fast', temperature: 0.7 })).status).toBe(200);

    const row = page.locator(`tr[data-request="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toMatch(/llama-3\.3-70b.*kind=canonical.*ok/);
    expect(await page.textContent(`tr[data-request="${id}-again"]`)).toContain('cache_hit');

    // Five requests answered, one from the cache, at least four upstream calls: the charts hold them.
    await page.waitForFunction(() => {
      const charts = (globalThis as unknown as { freewayCharts: Record<string, { plot: { data: (number | null)[][] } }> }).freewayCharts;
      const sum = (id: string, i: number) => (charts[id]?.plot.data[i] ?? []).reduce<number>((a, b) => a + (b ?? 0), 0);
      return sum('chart-requests', 1) >= 4 && sum('chart-requests', 2) >= 1 && sum('chart-upstream', 1) >= 4;
    });
    expect(await chartTotal(page, 'chart-upstream', 2)).toBe(0); // no upstream 429 in the demo fleet
    expect(await page.locator('#chart-latency .u-legend').textContent()).toMatch(/p50.*p95/);

    await row.click();
    await page.waitForSelector('#details:not([hidden]) #details-candidates li');
    expect(await page.textContent('#details-id')).toBe(id);
    expect(await page.textContent('#details-facts')).toMatch(/model asked\s*llama-3\.3-70b/);
    expect(await page.textContent('#details-candidates')).toMatch(/Tried in this order/);
    expect(JSON.parse((await page.textContent('#details-json')) ?? '{}')).toMatchObject({ object: 'freeway.route' });
    await page.click('#details-close');
  });

  it('writes what clients send as text, never as markup', async () => {
    const id = `xss-${Date.now()}`;
    const model = '<img src=x onerror="window.__owned=1">';
    expect((await sendChat(stack.freeway.url, { model }, { 'x-request-id': id })).status).toBe(404);
    const row = page.locator(`tr[data-request="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain(model);
    expect(await row.textContent()).toContain('model_not_found');
    expect(await page.locator('#requests img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __owned?: number }).__owned)).toBeUndefined();
  });

  it('says there are no batches when the gateway reports none', async () => {
    expect(await page.textContent('#batches')).toContain('No batches');
  });

  it('shows a batch as a row that follows its progress to completed', async () => {
    const client = new OpenAI({ baseURL: `${stack.freeway.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const lines = [0, 1, 2].map((i) => JSON.stringify({ custom_id: `dash-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'auto:fast', messages: [{ role: 'user', content: `batch line ${i}` }] } }));
    const file = await client.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'in.jsonl'), purpose: 'batch' });
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const row = page.locator(`tr[data-batch="${batch.id}"]`);
    await row.waitFor();
    await page.locator(`tr[data-batch="${batch.id}"]`, { hasText: 'completed' }).waitFor();
    expect(await row.textContent()).toMatch(/completed.*\/v1\/chat\/completions.*3 \/ 3/);
  });
});
