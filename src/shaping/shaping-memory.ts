/**
 * What shaping learns, as one file beside the latency predictor's: the parameter lessons and the
 * output-length histograms. It loads and saves through the same persistence as the predictor
 * (predictor-persistence.ts: save on traffic at most once a minute, and at close; a bad file is
 * logged and rewritten, never fatal).
 */
import { dirname, join } from 'node:path';
import { loadJsonFile, saveJsonFile } from '../core/json-file.js';
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
    saveToFile: (path: string): Promise<void> => saveJsonFile(path, { profiles: profiles.snapshot(), outputLengths: lengths.snapshot() }),
    loadFromFile: (path: string) =>
      loadJsonFile(path, (data) => {
        const { profiles: saved, outputLengths } = data as { profiles?: unknown; outputLengths?: unknown };
        return profiles.load(saved) && lengths.load(outputLengths);
      }),
  };
}
