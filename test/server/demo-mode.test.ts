import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFreeway } from '../../src/app/start-freeway.js';

describe('demo mode', () => {
  it('starts the simulated fleet in-process when no config and no key is set, says so, and serves', async () => {
    const lines: string[] = [];
    const cwd = process.cwd();
    process.chdir(mkdtempSync(join(tmpdir(), 'freeway-demo-'))); // the disk cache lands in a scratch folder
    const freeway = await startFreeway({ env: {}, port: 0, log: (line) => lines.push(line) }).finally(() => process.chdir(cwd));
    try {
      expect(freeway.fleet).toBeDefined();
      const banner = lines.join('\n');
      expect(banner).toMatch(/DEMO MODE/);
      expect(banner).toMatch(/SIMULATED/);
      expect(banner).toContain(`curl ${freeway.url}/v1/chat/completions`);
      const response = await fetch(`${freeway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'Say hello' }] }),
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: { message: { content: string } }[] };
      expect(body.choices[0]?.message.content.length).toBeGreaterThan(0);
    } finally {
      await freeway.close();
    }
  });

  it('uses the catalog providers whose keys are set instead of the demo fleet', async () => {
    const { configFromEnvironment } = await import('../../src/app/config-from-environment.js');
    expect(configFromEnvironment({})).toBeUndefined();
    const config = configFromEnvironment({ GROQ_API_KEY: 'gsk_test_0123456789' });
    expect(config?.providers.map((p) => p.id)).toEqual(['groq']);
  });
});
