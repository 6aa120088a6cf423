import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

describe('freeway batch and freeway worker usage errors', () => {
  it('exit with code 2 and one clear line', async () => {
    expect(await run(['batch', '--help'])).toBe(0);
    expect(await run(['worker', '--help'])).toBe(0);
    expect(await run(['batch', 'in.jsonl'])).toBe(2); // --output is required
    expect(await run(['batch', '/nonexistent/in.jsonl', '--output', 'out.jsonl'])).toBe(2);
    expect(await run(['batch', 'package.json', '--output', 'out.jsonl', '--priority', 'urgent'])).toBe(2);
    expect(await run(['worker', '--config', '/nonexistent/freeway.yaml'])).toBe(2);
    expect(await run(['worker', '--concurrency', 'zero'])).toBe(2);
  });
});
