/**
 * What shaping learns, as one file beside the latency predictor's: the parameter lessons and the
 * output-length histograms. It loads and saves through the same persistence as the predictor
 * (predictor-persistence.ts: save on traffic at most once a minute, and at close; a bad file is
 * logged and rewritten, never fatal).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OutputLengths } from './output-lengths.js';
import type { ParameterProfiles } from './parameter-profiles.js';

export const DEFAULT_SHAPING_FILE = 'shaping.json';

/** `shaping.statePath` when set; else beside `routing.predictorPath` (off when that is off). */
export function shapingPath(statePath: string | null | undefined, predictorPath: string | null | undefined, defaultPredictorPath: string): string | null {
  if (statePath !== undefined) return statePath;
  if (predictorPath === null) return null;
  return join(dirname(predictorPath ?? defaultPredictorPath), DEFAULT_SHAPING_FILE);
}

export function shapingMemory(profiles: ParameterProfiles, lengths: OutputLengths) {
  return {
    async saveToFile(path: string): Promise<void> {
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify({ profiles: profiles.snapshot(), outputLengths: lengths.snapshot() }));
      await rename(temporary, path);
    },
    async loadFromFile(path: string): Promise<'loaded' | 'missing' | 'invalid'> {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
        throw error;
      }
      try {
        const data = JSON.parse(text) as { profiles?: unknown; outputLengths?: unknown };
        const ok = profiles.load(data.profiles) && lengths.load(data.outputLengths);
        return ok ? 'loaded' : 'invalid';
      } catch {
        return 'invalid';
      }
    },
  };
}
