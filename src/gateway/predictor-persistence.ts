/**
 * Keeps the latency predictor across restarts: loads its file once at start, saves it again when
 * traffic has taught it something and the last save is older than `intervalMs`, and once more at
 * close. Saving rides on observations (no timer keeps the process alive) and a failed load or save
 * is logged, never thrown: a gateway without its history still serves, it only predicts less.
 */
import type { Clock } from '../core/clock.js';
import type { LatencyPredictor } from '../routing/index.js';

/** Where the predictor lives when `routing.predictorPath` is not set. */
export const DEFAULT_PREDICTOR_PATH = '.freeway/latency.json';

export interface PredictorPersistence {
  /** Call after each observation: schedules a save when the last one is old enough. */
  touch(): void;
  /** Waits for a running save, then writes what was learned since. */
  close(): Promise<void>;
}

export interface PersistenceOptions {
  clock: Clock;
  log: (line: string) => void;
  /** Least time between two saves driven by traffic; one minute by default. */
  intervalMs?: number;
}

const inert: PredictorPersistence = { touch: () => {}, close: async () => {} };

/** `path` null turns persistence off; undefined means the default file. */
export async function persistPredictor(
  predictor: Pick<LatencyPredictor, 'loadFromFile' | 'saveToFile'>,
  path: string | null | undefined,
  options: PersistenceOptions,
): Promise<PredictorPersistence> {
  if (path === null) return inert;
  const file = path ?? DEFAULT_PREDICTOR_PATH;
  const { clock, log } = options;
  const intervalMs = options.intervalMs ?? 60_000;

  try {
    const status = await predictor.loadFromFile(file);
    if (status === 'invalid') log(`warning: ignoring ${file}: not a latency predictor snapshot; it will be rewritten`);
  } catch (error) {
    log(`warning: cannot read ${file}: ${(error as Error).message}`);
  }

  let dirty = false;
  let savedAt = clock.now();
  let saving: Promise<void> | undefined;

  const save = (): Promise<void> => {
    dirty = false;
    savedAt = clock.now();
    const run = predictor.saveToFile(file).catch((error: unknown) => {
      dirty = true; // try again with the next observation
      log(`warning: cannot save ${file}: ${(error as Error).message}`);
    });
    saving = run.finally(() => (saving = undefined));
    return saving;
  };

  return {
    touch() {
      dirty = true;
      if (!saving && clock.now() - savedAt >= intervalMs) void save();
    },
    async close() {
      if (saving) await saving;
      if (dirty) await save();
    },
  };
}
