/**
 * Derivative checks against central finite differences, in the spirit of
 * JAX's check_grads:
 *
 *   FD(x; t) = (f(x + εt) − f(x − εt)) / 2ε
 *   forward:  jvp(f)(x; t)            ≈ FD(x; t)             (every output element)
 *   reverse:  ⟨vjp(f)(x)(c), t⟩       ≈ ⟨c, FD(x; t)⟩        (and per coordinate for small x)
 *   adjoint:  ⟨t, vjp(c)⟩ = ⟨jvp(t), c⟩                      (1e-10 relative: both are exact)
 *
 * with |AD − FD| ≤ atol + rtol·|FD| (1e-5, 1e-3). Second order applies the
 * same checks to x ↦ vjp(f)(x)(c) and x ↦ jvp(f)(x; t), which covers
 * grad-of-grad, jvp-of-vjp, vjp-of-jvp and jvp-of-jvp.
 *
 *   checkGrads((x, y) => x.mul(y.sin()), [x64, y64]);
 *
 * Inputs must be float64 tensors; f returns a tensor or a pytree of tensors.
 */
import * as fx from "../../src/index.js";
import { Rng } from "./random.js";
import { outLeaves } from "./compare.js";

export type TensorFn = (...xs: fx.Tensor[]) => unknown;

export interface GradCheckOptions {
  /** 1: first derivatives; 2 (default): also derivatives of derivatives. */
  order?: 1 | 2;
  /** Finite-difference step (default 1e-5, relative to unit-variance directions). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Random directions per check (default 2). */
  directions?: number;
  /** Also check each gradient coordinate when the inputs have at most this many elements (default 8). */
  perCoordinateUpTo?: number;
  seed?: number;
  /** Which modes to check (default both). */
  modes?: ("fwd" | "rev")[];
  /** Prefix for messages. */
  label?: string;
}

/** Relative tolerance of the adjoint identity in float64, plus a floor for quantities that are zero up to rounding. */
const ADJOINT_RTOL = 1e-10;
const ADJOINT_ATOL = 1e-13;

type Vec = Float64Array[];

const vecOf = (ts: fx.Tensor[]): Vec => ts.map((t) => Float64Array.from(t.data() as ArrayLike<number>));

function dot(a: Vec, b: Vec): number {
  let s = 0;
  a.forEach((x, k) => x.forEach((v, i) => (s += v * b[k]![i]!)));
  return s;
}

function absDot(a: Vec, b: Vec): number {
  let s = 0;
  a.forEach((x, k) => x.forEach((v, i) => (s += Math.abs(v * b[k]![i]!))));
  return s;
}

/** Float64 tensors x + s·d (built from raw arrays, so no Fluxion arithmetic is involved). */
function shifted(xs: fx.Tensor[], d: Vec, s: number): fx.Tensor[] {
  return xs.map((x, k) => {
    const base = x.data() as Float64Array;
    const out = new Float64Array(base.length);
    for (let i = 0; i < base.length; i++) out[i] = base[i]! + s * d[k]![i]!;
    return fx.tensor(out, { dtype: "float64", shape: [...x.shape] });
  });
}

const tensorsLike = (xs: { shape: readonly number[] }[], data: Vec) =>
  xs.map((x, k) => fx.tensor(data[k]!, { dtype: "float64", shape: [...x.shape] }));

function evalLeaves(f: TensorFn, xs: fx.Tensor[], label: string): fx.Tensor[] {
  return outLeaves(f(...xs), label);
}

function within(ad: number, fd: number, atol: number, rtol: number): boolean {
  return Math.abs(ad - fd) <= atol + rtol * Math.abs(fd);
}

function checkShapeDType(got: fx.Tensor, want: { shape: readonly number[]; dtype: fx.DType }, label: string): void {
  if (got.dtype !== want.dtype || got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    throw new Error(`${label}: got ${got.dtype}[${got.shape}], expected ${want.dtype}[${want.shape}]`);
  }
}

/** One level of checks on f at xs. */
function checkFirstOrder(f: TensorFn, xs: fx.Tensor[], opts: Required<GradCheckOptions>, rng: Rng): void {
  const { eps, atol, rtol, label } = opts;
  for (const [k, x] of xs.entries()) {
    if (x.dtype !== "float64") throw new Error(`${label}: input ${k} is ${x.dtype}; gradient checks need float64 inputs`);
  }
  const outs = evalLeaves(f, xs, label);
  const outVec = vecOf(outs);
  for (const [k, o] of outs.entries()) {
    if (o.dtype !== "float64") throw new Error(`${label}: output ${k} is ${o.dtype}; expected float64 for float64 inputs`);
  }
  const fd = (d: Vec): Vec => {
    const plus = vecOf(evalLeaves(f, shifted(xs, d, eps), label));
    const minus = vecOf(evalLeaves(f, shifted(xs, d, -eps), label));
    // An output that does not move (even an infinite one) has derivative 0 in that direction.
    return plus.map((p, k) => p.map((v, i) => (Object.is(v, minus[k]![i]!) ? 0 : (v - minus[k]![i]!) / (2 * eps))));
  };
  const c = outs.map((o) => rng.normals(o.size));
  const cTensors = tensorsLike(outs, c);

  // Reverse mode: one pullback, reused for every direction.
  let g: Vec | null = null;
  if (opts.modes.includes("rev")) {
    const [y, pullback] = fx.vjp(f, ...xs);
    outLeaves(y).forEach((o, k) => checkShapeDType(o, outs[k]!, `${label} vjp primal out ${k}`));
    const cts = pullback(fx.tree.unflatten(fx.tree.flatten(y)[1], cTensors)) as fx.Tensor[];
    if (cts.length !== xs.length) throw new Error(`${label}: vjp returned ${cts.length} cotangents for ${xs.length} inputs`);
    cts.forEach((ct, k) => checkShapeDType(ct, xs[k]!, `${label} vjp cotangent ${k}`));
    g = vecOf(cts);
    const n = xs.reduce((s, x) => s + x.size, 0);
    if (n <= opts.perCoordinateUpTo) {
      xs.forEach((x, k) => {
        for (let i = 0; i < x.size; i++) {
          const e = xs.map((xx) => new Float64Array(xx.size));
          e[k]![i] = 1;
          const want = dot(c, fd(e));
          const got = g![k]![i]!;
          if (!within(got, want, atol, rtol)) {
            throw new Error(`${label}: reverse mode d/d(input ${k})[${i}] is ${got}, finite differences give ${want}`);
          }
        }
      });
    }
  }

  for (let r = 0; r < opts.directions; r++) {
    const t = xs.map((x) => rng.normals(x.size));
    const fdt = fd(t);
    let jt: Vec | null = null;
    if (opts.modes.includes("fwd")) {
      const [y, tOut] = fx.jvp(f, xs, tensorsLike(xs, t));
      const yl = outLeaves(y), tl = outLeaves(tOut);
      yl.forEach((o, k) => checkShapeDType(o, outs[k]!, `${label} jvp primal out ${k}`));
      tl.forEach((o, k) => checkShapeDType(o, outs[k]!, `${label} jvp tangent out ${k}`));
      vecOf(yl).forEach((v, k) => v.forEach((val, i) => {
        const want = outVec[k]![i]!;
        if (!(Object.is(val, want) || Math.abs(val - want) <= 1e-12 * (1 + Math.abs(want)))) {
          throw new Error(`${label}: jvp's primal output ${k}[${i}] is ${val}, f gives ${want}`);
        }
      }));
      jt = vecOf(tl);
      jt.forEach((v, k) => v.forEach((got, i) => {
        const want = fdt[k]![i]!;
        if (!within(got, want, atol, rtol)) {
          throw new Error(`${label}: forward mode (jvp) output ${k}[${i}] is ${got}, finite differences give ${want} (direction ${r})`);
        }
      }));
    }
    if (g) {
      const got = dot(g, t), want = dot(c, fdt);
      if (!within(got, want, atol, rtol)) {
        throw new Error(`${label}: reverse mode ⟨vjp(c), t⟩ is ${got}, finite differences ⟨c, FD(t)⟩ give ${want} (direction ${r})`);
      }
    }
    if (g && jt) {
      const lhs = dot(t, g), rhs = dot(jt, c);
      const scale = Math.max(Math.abs(lhs), Math.abs(rhs), absDot(t, g), absDot(jt, c));
      if (Math.abs(lhs - rhs) > ADJOINT_RTOL * scale + ADJOINT_ATOL) {
        throw new Error(`${label}: adjoint identity fails: ⟨t, vjp(c)⟩ = ${lhs} but ⟨jvp(t), c⟩ = ${rhs} (relative ${(Math.abs(lhs - rhs) / scale).toExponential(2)})`);
      }
    }
  }
}

/** Checks forward and reverse derivatives of f at xs (float64) against finite differences; throws on mismatch. */
export function checkGrads(f: TensorFn, xs: fx.Tensor[], options: GradCheckOptions = {}): void {
  const opts: Required<GradCheckOptions> = {
    order: 2, eps: 1e-5, atol: 1e-5, rtol: 1e-3, directions: 2, perCoordinateUpTo: 8, seed: 0,
    modes: ["fwd", "rev"], label: "checkGrads", ...options,
  };
  const rng = new Rng(opts.seed + 7919);
  checkFirstOrder(f, xs, opts, rng);
  if (opts.order < 2) return;
  const outs = evalLeaves(f, xs, opts.label);
  const [, outDef] = fx.tree.flatten(f(...xs));
  // Fixed cotangent / tangent: the derived functions are linear in them.
  const c = tensorsLike(outs, outs.map((o) => rng.normals(o.size)));
  const t = tensorsLike(xs, xs.map((x) => rng.normals(x.size)));
  const reverse = (...ys: fx.Tensor[]) => fx.vjp(f, ...ys)[1](fx.tree.unflatten(outDef, c));
  const forward = (...ys: fx.Tensor[]) => fx.jvp(f, ys, t)[1];
  const second = { ...opts, directions: 1, perCoordinateUpTo: 0 };
  checkFirstOrder(reverse, xs, { ...second, label: `${opts.label} [derivatives of vjp]` }, rng);
  checkFirstOrder(forward, xs, { ...second, label: `${opts.label} [derivatives of jvp]` }, rng);
}
