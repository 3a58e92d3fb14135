/**
 * Learning-rate schedules: plain `step → value` functions (Optax style). They
 * compute in float64 with fx ops, so the step may be a number or the int32
 * count tensor an optimizer keeps in its state (a tracer under `jit`).
 */
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { asTensor } from "../ops/convert.js";
import { add, astype, cos, div, floor, greaterEqual, maximum, minimum, mul, pow, sub, where } from "../ops/elementwise.js";
import type { Schedule } from "./types.js";

/** The step as a float64 scalar (a JS number goes straight to float64, exact up to 2^53). */
function stepF64(step: Tensor | number): Tensor {
  return typeof step === "number" ? asTensor(step, "float64") : astype(step, "float64");
}

function finite(op: string, name: string, v: number): number {
  if (!Number.isFinite(v)) throw new ValueError(`${op}: ${name} must be a finite number, got ${v}`);
  return v;
}

function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new ValueError(`${op}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/**
 * The same value at every step.
 *
 *   schedules.constant(0.1)(1000); // 0.1
 */
export function constant(value: number): Schedule {
  finite("constant", "value", value);
  return () => value;
}

/**
 * Linear from `init` to `end` over `transitionSteps` steps starting at
 * `transitionBegin` (default 0); `init` before, `end` after.
 *
 *   schedules.linear({ init: 0, end: 1, transitionSteps: 10 })(5).item(); // 0.5
 */
export function linear(o: { init: number; end: number; transitionSteps: number; transitionBegin?: number }): Schedule {
  const op = "linear";
  const [init, end] = [finite(op, "init", o.init), finite(op, "end", o.end)];
  const steps = positiveInt(op, "transitionSteps", o.transitionSteps);
  const begin = o.transitionBegin ?? 0;
  return (step) => {
    const frac = minimum(maximum(div(sub(stepF64(step), begin), steps), 0), 1);
    return add(init, mul(frac, end - init));
  };
}

/**
 * init · rate^((step − transitionBegin) / transitionSteps), with the exponent
 * floored when `staircase`, held at `init` before `transitionBegin`, and
 * bounded by `end` when given (below for a decay, above for a growth).
 *
 *   schedules.exponentialDecay({ init: 1, decayRate: 0.5, transitionSteps: 10 })(20).item(); // 0.25
 */
export function exponentialDecay(o: {
  init: number; decayRate: number; transitionSteps: number; transitionBegin?: number; staircase?: boolean; end?: number;
}): Schedule {
  const op = "exponentialDecay";
  const init = finite(op, "init", o.init);
  const rate = finite(op, "decayRate", o.decayRate);
  if (!(rate > 0)) throw new ValueError(`${op}: decayRate must be positive, got ${rate}`);
  const steps = positiveInt(op, "transitionSteps", o.transitionSteps);
  const begin = o.transitionBegin ?? 0;
  return (step) => {
    let p = maximum(div(sub(stepF64(step), begin), steps), 0);
    if (o.staircase) p = floor(p);
    const v = mul(pow(rate, p), init);
    if (o.end === undefined) return v;
    return rate < 1 ? maximum(v, o.end) : minimum(v, o.end);
  };
}

/**
 * Cosine decay (Loshchilov & Hutter) from `init` to `alpha·init` over
 * `decaySteps`, then constant: init · ((1 − α) · ½(1 + cos(π·min(step, T)/T)) + α).
 *
 *   schedules.cosineDecay({ init: 1, decaySteps: 100 })(50).item(); // 0.5
 */
export function cosineDecay(o: { init: number; decaySteps: number; alpha?: number }): Schedule {
  const op = "cosineDecay";
  const init = finite(op, "init", o.init);
  const steps = positiveInt(op, "decaySteps", o.decaySteps);
  const alpha = finite(op, "alpha", o.alpha ?? 0);
  return (step) => {
    const s = div(minimum(stepF64(step), steps), steps);
    const c = mul(add(cos(mul(s, Math.PI)), 1), 0.5);
    return mul(add(mul(c, 1 - alpha), alpha), init);
  };
}

/**
 * Linear warmup from `init` to `peak` over `warmupSteps`, then cosine decay
 * from `peak` to `end` (default 0) until step `decaySteps` (which counts the
 * warmup, as in Optax), then `end`.
 *
 *   const lr = schedules.warmupCosineDecay({ init: 0, peak: 1e-3, warmupSteps: 100, decaySteps: 1000 });
 */
export function warmupCosineDecay(o: { init: number; peak: number; warmupSteps: number; decaySteps: number; end?: number }): Schedule {
  const op = "warmupCosineDecay";
  const init = finite(op, "init", o.init), peak = finite(op, "peak", o.peak), end = finite(op, "end", o.end ?? 0);
  const warm = o.warmupSteps;
  if (!Number.isInteger(warm) || warm < 0) throw new ValueError(`${op}: warmupSteps must be an integer ≥ 0, got ${warm}`);
  if (!Number.isInteger(o.decaySteps) || o.decaySteps <= warm) {
    throw new ValueError(`${op}: decaySteps (${o.decaySteps}) must be an integer larger than warmupSteps (${warm}); it counts the warmup`);
  }
  const span = o.decaySteps - warm;
  return (step) => {
    const t = stepF64(step);
    const warmValue = warm === 0 ? asTensor(peak, "float64") : add(init, mul(div(minimum(t, warm), warm), peak - init));
    const s = div(minimum(maximum(sub(t, warm), 0), span), span);
    const decayValue = add(end, mul(mul(add(cos(mul(s, Math.PI)), 1), 0.5), peak - end));
    return where(greaterEqual(t, warm), decayValue, warmValue);
  };
}

/**
 * init times the product of the scales of every boundary the step has reached
 * (step ≥ boundary).
 *
 *   schedules.piecewiseConstant(0.1, { 100: 0.1, 200: 0.1 })(150).item(); // 0.01
 */
export function piecewiseConstant(init: number, boundariesAndScales: Record<number, number>): Schedule {
  const op = "piecewiseConstant";
  finite(op, "init", init);
  const pairs = Object.entries(boundariesAndScales).map(([b, s]) => [Number(b), finite(op, `scale at ${b}`, s)] as const);
  for (const [b] of pairs) if (!Number.isInteger(b) || b < 0) throw new ValueError(`${op}: boundary ${b} must be an integer ≥ 0`);
  return (step) => {
    const t = stepF64(step);
    let v: Tensor = asTensor(init, "float64");
    for (const [b, s] of pairs) v = where(greaterEqual(t, b), mul(v, s), v);
    return v;
  };
}
