/**
 * Learned state kept as a JSON file (the latency predictor's, shaping's): written to a temporary
 * file and renamed, so a crash mid-write leaves the previous file intact; read back through a
 * caller's `apply`, which throws or returns false when the content is not what it expects.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function saveJsonFile(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(value));
  await rename(temporary, path);
}

export async function loadJsonFile(path: string, apply: (data: unknown) => boolean | void): Promise<'loaded' | 'missing' | 'invalid'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    return apply(JSON.parse(text)) === false ? 'invalid' : 'loaded';
  } catch {
    return 'invalid';
  }
}
