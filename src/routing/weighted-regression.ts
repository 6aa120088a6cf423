/**
 * Exponentially weighted least squares of y = a + b·x, kept as six discounted sums so an update is
 * O(1) and the state is a small plain object that persists as JSON. Old samples fade by `decay`
 * per update (an EWMA of the sufficient statistics), so the fit follows a provider that changes.
 * It never looks at what x and y mean; callers decide units and sanity bounds.
 */

export interface RegressionState {
  /** Total weight (≈ effective sample count). */
  w: number;
  x: number;
  y: number;
  xx: number;
  xy: number;
  yy: number;
  /** Samples ever seen, undiscounted. */
  n: number;
}

export interface Fit {
  intercept: number;
  slope: number;
  /** Weighted residual variance around the fit, in y units squared. */
  residualVariance: number;
  meanX: number;
}

export const emptyRegression = (): RegressionState => ({ w: 0, x: 0, y: 0, xx: 0, xy: 0, yy: 0, n: 0 });

export function addSample(state: RegressionState, x: number, y: number, decay: number): void {
  state.w = state.w * decay + 1;
  state.x = state.x * decay + x;
  state.y = state.y * decay + y;
  state.xx = state.xx * decay + x * x;
  state.xy = state.xy * decay + x * y;
  state.yy = state.yy * decay + y * y;
  state.n += 1;
}

/** Fades every sum by `factor`: used for time passing without samples. */
export function fade(state: RegressionState, factor: number): void {
  state.w *= factor;
  state.x *= factor;
  state.y *= factor;
  state.xx *= factor;
  state.xy *= factor;
  state.yy *= factor;
}

/**
 * The current fit. The slope is only trusted when x has spread (coefficient of variation above
 * `minSpread`) and at least `minWeight` samples; otherwise y is modelled as its mean. A slope below
 * `minSlope` is clamped, because latency never falls as work grows and noise must not say it does.
 */
export function fitRegression(
  state: RegressionState,
  options: { minSpread?: number; minWeight?: number; minSlope?: number } = {},
): Fit | undefined {
  if (state.w <= 0 || state.n === 0) return undefined;
  const meanX = state.x / state.w;
  const meanY = state.y / state.w;
  const varX = Math.max(0, state.xx / state.w - meanX * meanX);
  const varY = Math.max(0, state.yy / state.w - meanY * meanY);
  const covXY = state.xy / state.w - meanX * meanY;
  const hasSpread = varX > 0 && Math.sqrt(varX) > (options.minSpread ?? 0.1) * Math.abs(meanX);
  let slope = hasSpread && state.w >= (options.minWeight ?? 5) ? covXY / varX : 0;
  slope = Math.max(options.minSlope ?? Number.NEGATIVE_INFINITY, slope);
  const residualVariance = Math.max(0, varY - 2 * slope * covXY + slope * slope * varX);
  return { intercept: meanY - slope * meanX, slope, residualVariance, meanX };
}
