/**
 * Debian's Chromium driven by playwright-core (no browser download). Outside CI a machine without
 * /usr/bin/chromium skips the browser tests with a message; in CI (CI=true) they must run.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);

if (!hasChromium) {
  if (process.env['CI'] === 'true') throw new Error(`Chromium is missing at ${CHROMIUM_PATH}: CI must install the chromium package`);
  console.warn(`Skipping the browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });

export async function sendChat(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'Say hello to the dashboard' }], max_tokens: 30, ...body }),
  });
  await response.arrayBuffer();
  return response;
}
