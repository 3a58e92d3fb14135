/**
 * Finite-difference checks for the linalg tests: central differences in
 * float64 against forward mode (fx.jvp), reverse mode (fx.grad / fx.vjp) and
 * second order, with the tolerance |AD − FD| ≤ 1e-5 + 1e-3·|FD|.
 */
import { expect } from "vitest";
import * as fx from "../src/index.js";

export type Fn = (...args: fx.Tensor[]) => fx.Tensor | fx.Tensor[];

/** A small seeded generator (mulberry32) of uniforms in [−1, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

export function randomTensor(r: () => number, shape: number[], dtype: fx.DType = "float64"): fx.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return fx.tensor(Float64Array.from({ length: size }, r), { shape, dtype });
}

const outsOf = (y: fx.Tensor | fx.Tensor[]) => (Array.isArray(y) ? y : [y]);
const values = (t: fx.Tensor) => Float64Array.from(t.data());

/** args + h·dirs, elementwise. */
function shifted(args: fx.Tensor[], dirs: fx.Tensor[], h: number): fx.Tensor[] {
  return args.map((a, i) => fx.add(a, fx.mul(dirs[i]!, h)));
}

/** Central-difference directional derivative of every output of f. */
export function fdDirectional(f: Fn, args: fx.Tensor[], dirs: fx.Tensor[], h = 1e-6): Float64Array[] {
  const plus = outsOf(f(...shifted(args, dirs, h)));
  const minus = outsOf(f(...shifted(args, dirs, -h)));
  return plus.map((p, k) => {
    const a = values(p), b = values(minus[k]!);
    return a.map((v, i) => (v - b[i]!) / (2 * h));
  });
}

/** Asserts AD ≈ FD elementwise with the brief's tolerance, naming what was checked. */
export function expectClose(ad: ArrayLike<number>, fd: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-3): void {
  expect(ad.length, `${what}: length`).toBe(fd.length);
  let worst = -Infinity, at = -1;
  for (let i = 0; i < fd.length; i++) {
    const excess = Math.abs(ad[i]! - fd[i]!) - (atol + rtol * Math.abs(fd[i]!));
    if (!(excess <= worst) || Number.isNaN(excess)) [worst, at] = [Number.isNaN(excess) ? Infinity : excess, i];
  }
  if (worst > 0) expect.fail(`${what}: element ${at}: AD ${ad[at]} vs FD ${fd[at]}`);
}

/** Forward mode: fx.jvp along random tangents equals the central difference. */
export function checkJvp(f: Fn, args: fx.Tensor[], r: () => number, what: string): void {
  const dirs = args.map((a) => randomTensor(r, [...a.shape]));
  const [, tangents] = fx.jvp((...xs: fx.Tensor[]) => f(...xs), args, dirs);
  const fd = fdDirectional(f, args, dirs);
  outsOf(tangents).forEach((t, k) => expectClose(values(t), fd[k]!, `${what} jvp output ${k}`));
}

/** A scalar loss Σ_k Σ w_k ∘ f_k with fixed random weights. */
export function weightedLoss(f: Fn, args: fx.Tensor[], r: () => number): (...xs: fx.Tensor[]) => fx.Tensor {
  const weights = outsOf(f(...args)).map((o) => randomTensor(r, [...o.shape]));
  return (...xs) => outsOf(f(...xs)).reduce<fx.Tensor>((acc, o, k) => fx.add(acc, fx.sum(fx.mul(o, weights[k]!))), fx.tensor(0, { dtype: "float64" }));
}

/** Central difference of a scalar function in every coordinate of every argument. */
function fdGradient(loss: (...xs: fx.Tensor[]) => fx.Tensor, args: fx.Tensor[], h = 1e-6): Float64Array[] {
  return args.map((a, i) => {
    const base = values(a);
    return base.map((_, j) => {
      const at = (delta: number) => {
        const v = Float64Array.from(base);
        v[j]! += delta;
        const xs = [...args];
        xs[i] = fx.tensor(v, { shape: [...a.shape], dtype: "float64" });
        return loss(...xs).item();
      };
      return (at(h) - at(-h)) / (2 * h);
    });
  });
}

const allArgnums = (args: fx.Tensor[]) => args.map((_, i) => i);

/** Reverse mode: fx.grad of a weighted loss equals per-coordinate central differences. */
export function checkGrad(f: Fn, args: fx.Tensor[], r: () => number, what: string): void {
  const loss = weightedLoss(f, args, r);
  const grads = fx.grad(loss, { argnums: allArgnums(args) })(...args) as fx.Tensor[];
  const fd = fdGradient(loss, args);
  grads.forEach((g, i) => expectClose(values(g), fd[i]!, `${what} grad of argument ${i}`));
}

/** ⟨jvp(t), c⟩ = ⟨t, vjp(c)⟩ to 1e-10 relative: the two modes are adjoint. */
export function checkAdjoint(f: Fn, args: fx.Tensor[], r: () => number, what: string): void {
  const dirs = args.map((a) => randomTensor(r, [...a.shape]));
  const [out, tangents] = fx.jvp((...xs: fx.Tensor[]) => f(...xs), args, dirs);
  const cts = outsOf(out).map((o) => randomTensor(r, [...o.shape]));
  const [, pullback] = fx.vjp((...xs: fx.Tensor[]) => f(...xs), ...args);
  const back = pullback(Array.isArray(out) ? cts : cts[0]) as fx.Tensor[];
  const dot = (xs: fx.Tensor[], ys: fx.Tensor[]) => xs.reduce((s, x, i) => s + values(x).reduce((t, v, j) => t + v * values(ys[i]!)[j]!, 0), 0);
  const lhs = dot(outsOf(tangents), cts), rhs = dot(dirs, back);
  expect(Math.abs(lhs - rhs), `${what}: ⟨jvp(t), c⟩ = ${lhs} vs ⟨t, vjp(c)⟩ = ${rhs}`).toBeLessThanOrEqual(1e-10 * Math.max(1, Math.abs(lhs)));
}

/**
 * Second order, both ways, on a weighted loss L: the JVP of ∇L (forward over
 * reverse) and the gradient of ⟨∇L, T⟩ (reverse over reverse) against central
 * differences of ∇L.
 */
export function checkSecondOrder(f: Fn, args: fx.Tensor[], r: () => number, what: string): void {
  const loss = weightedLoss(f, args, r);
  const argnums = allArgnums(args);
  const gradL = (...xs: fx.Tensor[]) => fx.grad(loss, { argnums })(...xs) as fx.Tensor[];
  const dirs = args.map((a) => randomTensor(r, [...a.shape]));
  const [, hvp] = fx.jvp(gradL, args, dirs);
  const fd = fdDirectional(gradL, args, dirs, 1e-5);
  (hvp as fx.Tensor[]).forEach((t, i) => expectClose(values(t), fd[i]!, `${what} forward-over-reverse, argument ${i}`));
  const probe = args.map((a) => randomTensor(r, [...a.shape]));
  const inner = (...xs: fx.Tensor[]) => gradL(...xs).reduce<fx.Tensor>((s, g, i) => fx.add(s, fx.sum(fx.mul(g, probe[i]!))), fx.tensor(0, { dtype: "float64" }));
  const second = fx.grad(inner, { argnums })(...args) as fx.Tensor[];
  const fd2 = fdGradient(inner, args, 1e-5);
  second.forEach((g, i) => expectClose(values(g), fd2[i]!, `${what} reverse-over-reverse, argument ${i}`));
}

/** All first-order checks on one sample. */
export function checkFirstOrder(f: Fn, args: fx.Tensor[], r: () => number, what: string): void {
  checkJvp(f, args, r, what);
  checkGrad(f, args, r, what);
  checkAdjoint(f, args, r, what);
}

/**
 * Random matrices [n, n] far from singular: M + n·I with its rows shuffled, so
 * LU's partial pivoting really permutes rows.
 */
export function wellConditioned(r: () => number, n: number, batch: number[] = []): fx.Tensor {
  const perm = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(((r() + 1) / 2) * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const dominant = fx.add(randomTensor(r, [...batch, n, n]), fx.mul(fx.eye(n, n, 0, "float64"), n));
  return fx.take(dominant, perm, batch.length);
}

/** Symmetric positive definite: B Bᵀ + n·I. */
export function spd(r: () => number, n: number, batch: number[] = []): fx.Tensor {
  const b = randomTensor(r, [...batch, n, n]);
  return fx.add(fx.matmul(b, fx.swapaxes(b, -1, -2)), fx.mul(fx.eye(n, n, 0, "float64"), n));
}

/** Smallest gap between sorted values of a 1-D list. */
export function minGap(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.slice(1).reduce((m, v, i) => Math.min(m, v - s[i]!), Infinity);
}
