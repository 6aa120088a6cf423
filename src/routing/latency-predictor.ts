/**
 * The latency predictor: per deployment, time to first token as a + b·promptTokens and decode time
 * as c + d·outputTokens, each an exponentially weighted least-squares fit (weighted-regression.ts);
 * uncertainty is an EWMA of its own out-of-sample relative error, and a ring of recent TTFTs gives
 * tail quantiles. It learns only from what `observe` is told, persists as JSON, and never times,
 * calls or ranks anything itself.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.js';
import { loadJsonFile, saveJsonFile } from '../core/json-file.js';
import { addSample, emptyRegression, fade, fitRegression } from './weighted-regression.js';

export interface LatencyObservation {
  promptTokens: number;
  outputTokens: number;
  /** Milliseconds from sending the request to the first content byte. */
  ttftMs: number;
  /** Milliseconds from sending the request to the last byte. */
  totalMs: number;
}

export interface LatencyPrediction {
  ttftMs: number;
  tokensPerSecond: number;
  totalMs: number;
  /** Expected relative error of `totalMs` (a coefficient of variation: 0.1 ≈ ±10%). */
  uncertainty: number;
  samples: number;
}

export interface LatencyPredictor {
  observe(deploymentId: string, observation: LatencyObservation): void;
  /** The expected latency: the output is taken as the recent average output, capped by `maxTokens` (a bound, not a length). */
  predict(
    deploymentId: string,
    request: { promptTokens: number; maxTokens?: number | undefined },
  ): LatencyPrediction | undefined;
  /** The q-quantile of time to first token (for hedging and first-byte timeouts), at `promptTokens` or the recent average prompt. */
  ttftQuantile(deploymentId: string, q: number, promptTokens?: number): number | undefined;
  toJSON(): PredictorSnapshot;
  fromJSON(snapshot: unknown): void;
  saveToFile(path: string): Promise<void>;
  loadFromFile(path: string): Promise<'loaded' | 'missing' | 'invalid'>;
}

export interface PredictorOptions {
  clock?: Clock;
  /** Weight kept by older samples at each new one; 0.97 ≈ the last 33 samples count. */
  decay?: number;
  /** An idle deployment's evidence halves in weight over this long, and its uncertainty grows. */
  idleHalfLifeMs?: number;
  /** TTFTs kept for quantiles. */
  recentSize?: number;
}

const regressionSchema = z.object({
  w: z.number(),
  x: z.number(),
  y: z.number(),
  xx: z.number(),
  xy: z.number(),
  yy: z.number(),
  n: z.number(),
});
const deploymentSchema = z.object({
  ttft: regressionSchema,
  decode: regressionSchema,
  outputTokens: z.number(),
  recent: z.array(z.tuple([z.number(), z.number()])),
  lastObservedAt: z.number(),
  relativeErrorVariance: z.number(),
  errorSamples: z.number(),
});
const snapshotSchema = z.object({
  version: z.literal(1),
  savedAt: z.number(),
  deployments: z.record(z.string(), deploymentSchema),
});
export type PredictorSnapshot = z.infer<typeof snapshotSchema>;
type DeploymentLatency = z.infer<typeof deploymentSchema>;

/** A finite count or duration: no NaN, no negative. */
const isCount = (value: number): boolean => Number.isFinite(value) && value >= 0;

const normalQuantiles: [number, number][] = [
  [0.5, 0],
  [0.9, 1.2816],
  [0.95, 1.6449],
  [0.99, 2.3263],
  [0.999, 3.0902],
];

export function createLatencyPredictor(options: PredictorOptions = {}): LatencyPredictor {
  const clock = options.clock ?? systemClock;
  const decay = options.decay ?? 0.97;
  const idleHalfLifeMs = options.idleHalfLifeMs ?? 60 * 60 * 1000;
  const recentSize = options.recentSize ?? 128;
  const states = new Map<string, DeploymentLatency>();

  const ttftFit = (s: DeploymentLatency) => fitRegression(s.ttft, { minSlope: 0 });

  function predictTtft(s: DeploymentLatency, promptTokens: number): number {
    const fit = ttftFit(s);
    return fit ? Math.max(0, fit.intercept + fit.slope * promptTokens) : 0;
  }

  const predictor: LatencyPredictor = {
    observe(deploymentId, o) {
      if (!isCount(o.promptTokens) || !isCount(o.outputTokens) || !isCount(o.ttftMs) || !isCount(o.totalMs)) return;
      const now = clock.now();
      let s = states.get(deploymentId);
      if (!s) {
        s = {
          ttft: emptyRegression(),
          decode: emptyRegression(),
          outputTokens: o.outputTokens,
          recent: [],
          lastObservedAt: now,
          relativeErrorVariance: 0,
          errorSamples: 0,
        };
        states.set(deploymentId, s);
      } else {
        const idle = Math.max(0, now - s.lastObservedAt);
        const factor = Math.pow(0.5, idle / idleHalfLifeMs);
        fade(s.ttft, factor);
        fade(s.decode, factor);
      }
      // Scored before learning from it, so the error is out of sample.
      const before = estimateLatency(s, o.promptTokens, o.outputTokens);
      if (before && before.totalMs > 0) {
        const error = (o.totalMs - before.totalMs) / before.totalMs;
        s.relativeErrorVariance =
          s.errorSamples === 0 ? error * error : 0.9 * s.relativeErrorVariance + 0.1 * error * error;
        s.errorSamples += 1;
      }
      addSample(s.ttft, o.promptTokens, o.ttftMs, decay);
      // Decode speed is only visible when tokens came after the first one.
      const decodeMs = o.totalMs - o.ttftMs;
      if (o.outputTokens > 0 && decodeMs > 0) addSample(s.decode, o.outputTokens, decodeMs, decay);
      s.outputTokens = s.outputTokens * 0.9 + o.outputTokens * 0.1;
      s.recent.push([o.promptTokens, o.ttftMs]);
      if (s.recent.length > recentSize) s.recent.shift();
      s.lastObservedAt = now;
    },

    predict(deploymentId, request) {
      const s = states.get(deploymentId);
      const estimate = s && estimateLatency(s, request.promptTokens, Math.min(request.maxTokens ?? Infinity, s.outputTokens));
      if (!s || !estimate) return undefined;
      const idle = Math.max(0, clock.now() - s.lastObservedAt) / idleHalfLifeMs;
      // Out-of-sample error seen so far, widened for a thin fit and for staleness.
      const measured = s.errorSamples >= 2 ? Math.sqrt(s.relativeErrorVariance) : 0.5;
      const uncertainty = measured * Math.sqrt(1 + 2 / Math.max(1, s.ttft.w)) + idle * 0.1;
      return {
        ttftMs: estimate.ttftMs,
        tokensPerSecond: estimate.msPerToken > 0 ? 1000 / estimate.msPerToken : 0,
        totalMs: estimate.totalMs,
        uncertainty: Math.round(uncertainty * 1000) / 1000,
        samples: s.ttft.n,
      };
    },

    ttftQuantile(deploymentId, q, promptTokens) {
      const s = states.get(deploymentId);
      const fit = s && ttftFit(s);
      if (!s || !fit) return undefined;
      const at = promptTokens ?? fit.meanX;
      const center = predictTtft(s, at);
      const p = Math.min(0.999, Math.max(0.5, q));
      if (s.recent.length >= 20) {
        // Latency noise is multiplicative (a slow second is slow for every token), so the tail is
        // kept as ratios to the fit and scaled to the asked prompt size.
        const ratios = s.recent.map(([prompt, t]) => t / Math.max(1, predictTtft(s, prompt))).sort((a, b) => a - b);
        const index = Math.min(ratios.length - 1, Math.ceil(p * ratios.length) - 1);
        return Math.max(0, center * (ratios[index] ?? 1));
      }
      // Too few samples for an empirical tail: a normal tail with a generous floor on the spread.
      const sd = Math.max(Math.sqrt(fit.residualVariance), 0.25 * center);
      return center + normalZ(p) * sd;
    },

    toJSON() {
      return {
        version: 1,
        savedAt: clock.now(),
        deployments: Object.fromEntries([...states].map(([id, s]) => [id, structuredClone(s)])),
      };
    },

    fromJSON(snapshot) {
      const parsed = snapshotSchema.parse(snapshot);
      for (const [id, s] of Object.entries(parsed.deployments)) states.set(id, s);
    },

    saveToFile: (path) => saveJsonFile(path, predictor.toJSON()),

    loadFromFile: (path) => loadJsonFile(path, (data) => predictor.fromJSON(data)),
  };
  return predictor;
}

function estimateLatency(
  s: DeploymentLatency,
  promptTokens: number,
  outputTokens: number,
): { ttftMs: number; totalMs: number; msPerToken: number } | undefined {
  const ttft = fitRegression(s.ttft, { minSlope: 0 });
  if (!ttft) return undefined;
  const ttftMs = Math.max(0, ttft.intercept + ttft.slope * promptTokens);
  const decode = fitRegression(s.decode, { minSlope: 0 });
  if (!decode || s.decode.x <= 0) return { ttftMs, totalMs: ttftMs, msPerToken: 0 };
  // Without spread in output sizes the slope is unknown: fall back to the mean time per token.
  const msPerToken = decode.slope > 0 ? decode.slope : s.decode.y / s.decode.x;
  const decodeMs =
    decode.slope > 0 ? Math.max(0, decode.intercept + decode.slope * outputTokens) : outputTokens * msPerToken;
  return { ttftMs, totalMs: ttftMs + decodeMs, msPerToken };
}

function normalZ(p: number): number {
  let previous: [number, number] = [0.5, 0];
  for (const point of normalQuantiles) {
    if (p <= point[0]) {
      const share = (p - previous[0]) / (point[0] - previous[0] || 1);
      return previous[1] + share * (point[1] - previous[1]);
    }
    previous = point;
  }
  return previous[1];
}
