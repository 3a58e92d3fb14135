/**
 * L-BFGS (limited-memory BFGS) for smooth unconstrained minimisation, on
 * Float64Array parameter vectors.
 *
 * The search direction is −H∇f with H the BFGS inverse-Hessian estimate from
 * the last m pairs (s = Δx, y = Δ∇f), applied by the two-loop recursion:
 *   q = ∇f;  for i = newest…oldest: αᵢ = ρᵢ sᵢ·q,  q −= αᵢ yᵢ      (ρᵢ = 1 / yᵢ·sᵢ)
 *   r = γ q (γ = s·y / y·y of the newest pair)
 *   for i = oldest…newest: β = ρᵢ yᵢ·r,  r += sᵢ (αᵢ − β);   direction = −r
 * The step length satisfies the strong Wolfe conditions (sufficient decrease
 * f(x + t d) ≤ f(x) + c₁ t ∇f·d and curvature |∇f(x + t d)·d| ≤ c₂ |∇f·d|),
 * found by bracketing and cubic-interpolation zoom (Nocedal & Wright, Alg. 3.5–3.6).
 */

export type Objective = (x: Float64Array) => [number, Float64Array];

export interface LbfgsOptions {
  maxIter?: number;
  /** Stop when ‖∇f‖∞ ≤ gtol (default 1e-5). */
  gtol?: number;
  /** Stop when the relative decrease of f in a step is ≤ ftol (default 1e-10). */
  ftol?: number;
  /** Number of (s, y) pairs kept (default 10). */
  memory?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** f after each iteration (the first entry is f(x0)). */
  history: number[];
}

const dotv = (a: Float64Array, b: Float64Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};
const maxAbs = (a: Float64Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

export function lbfgs(f: Objective, x0: Float64Array, opts: LbfgsOptions = {}): LbfgsResult {
  const maxIter = opts.maxIter ?? 100, gtol = opts.gtol ?? 1e-5, ftol = opts.ftol ?? 1e-10, memory = opts.memory ?? 10;
  const n = x0.length;
  let x: Float64Array = x0.slice();
  let [fx, g]: [number, Float64Array] = f(x);
  let evaluations = 1;
  const history = [fx];
  const S: Float64Array[] = [], Y: Float64Array[] = [], rho: number[] = [];
  let converged = maxAbs(g) <= gtol;
  let iter = 0;
  for (; iter < maxIter && !converged; iter++) {
    // Two-loop recursion: d = −H g.
    const q = g.slice();
    const alpha = new Array<number>(S.length);
    for (let i = S.length - 1; i >= 0; i--) {
      alpha[i] = rho[i]! * dotv(S[i]!, q);
      const yi = Y[i]!, a = alpha[i]!;
      for (let j = 0; j < n; j++) q[j]! -= a * yi[j]!;
    }
    const last = S.length - 1;
    const gamma = last >= 0 ? dotv(S[last]!, Y[last]!) / dotv(Y[last]!, Y[last]!) : 1 / Math.max(1, Math.sqrt(dotv(g, g)));
    for (let j = 0; j < n; j++) q[j]! *= gamma;
    for (let i = 0; i < S.length; i++) {
      const beta = rho[i]! * dotv(Y[i]!, q);
      const si = S[i]!, c = alpha[i]! - beta;
      for (let j = 0; j < n; j++) q[j]! += c * si[j]!;
    }
    let d = q.map((v) => -v);
    let dg = dotv(d, g);
    if (!(dg < 0)) {
      // Not a descent direction (lost curvature information): restart from steepest descent.
      S.length = 0; Y.length = 0; rho.length = 0;
      d = g.map((v) => -v / Math.max(1, Math.sqrt(dotv(g, g))));
      dg = dotv(d, g);
    }
    const ls = wolfeSearch(f, x, fx, g, d, dg, 1);
    evaluations += ls.evaluations;
    if (ls.t === 0) break; // no acceptable step: at the precision limit
    const s = new Float64Array(n), y = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      s[j] = ls.x[j]! - x[j]!;
      y[j] = ls.g[j]! - g[j]!;
    }
    const sy = dotv(s, y);
    if (sy > 1e-12 * Math.sqrt(dotv(s, s) * dotv(y, y))) {
      S.push(s); Y.push(y); rho.push(1 / sy);
      if (S.length > memory) { S.shift(); Y.shift(); rho.shift(); }
    }
    const decrease = fx - ls.f;
    x = ls.x; g = ls.g; fx = ls.f;
    history.push(fx);
    if (maxAbs(g) <= gtol || decrease <= ftol * Math.max(1, Math.abs(fx))) converged = true;
  }
  return { x, f: fx, iterations: iter, evaluations, converged, history };
}

interface StepResult {
  t: number;
  x: Float64Array;
  f: number;
  g: Float64Array;
  evaluations: number;
}

/** A step t along d meeting the strong Wolfe conditions (c₁ = 1e-4, c₂ = 0.9); t = 0 if none is found. */
function wolfeSearch(f: Objective, x: Float64Array, f0: number, g0: Float64Array, d: Float64Array, dg0: number, t1: number): StepResult {
  const c1 = 1e-4, c2 = 0.9, maxEvals = 30;
  let evaluations = 0;
  const at = (t: number) => {
    const xt: Float64Array = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) xt[j] = x[j]! + t * d[j]!;
    const [ft, gt] = f(xt);
    evaluations++;
    return { t, x: xt, f: ft, g: gt, dg: dotv(gt, d) };
  };
  type Point = ReturnType<typeof at>;
  let prev: Point = { t: 0, x, f: f0, g: g0, dg: dg0 };
  let t = t1;
  const zoom = (lo: Point, hi: Point): StepResult => {
    while (evaluations < maxEvals) {
      let tj = cubicMin(lo.t, lo.f, lo.dg, hi.t, hi.f, hi.dg);
      const a = Math.min(lo.t, hi.t), b = Math.max(lo.t, hi.t);
      // Keep the trial point well inside the bracket.
      if (!Number.isFinite(tj) || tj < a + 0.1 * (b - a) || tj > b - 0.1 * (b - a)) tj = (a + b) / 2;
      const p = at(tj);
      if (!Number.isFinite(p.f) || p.f > f0 + c1 * tj * dg0 || p.f >= lo.f) hi = p;
      else {
        if (Math.abs(p.dg) <= -c2 * dg0) return { ...p, evaluations };
        if (p.dg * (hi.t - lo.t) >= 0) hi = lo;
        lo = p;
      }
      if (Math.abs(hi.t - lo.t) < 1e-16 * Math.max(1, lo.t)) break;
    }
    // Best sufficient-decrease point found, if any.
    return lo.t > 0 ? { ...lo, evaluations } : { t: 0, x, f: f0, g: g0, evaluations };
  };
  for (let i = 0; evaluations < maxEvals; i++) {
    const p = at(t);
    if (!Number.isFinite(p.f) || p.f > f0 + c1 * t * dg0 || (i > 0 && p.f >= prev.f)) return zoom(prev, p);
    if (Math.abs(p.dg) <= -c2 * dg0) return { ...p, evaluations };
    if (p.dg >= 0) return zoom(p, prev);
    prev = p;
    t *= 2;
  }
  return prev.t > 0 ? { ...prev, evaluations } : { t: 0, x, f: f0, g: g0, evaluations };
}

/** Minimiser of the cubic through (a, fa, da) and (b, fb, db) (NaN if it has none). */
function cubicMin(a: number, fa: number, da: number, b: number, fb: number, db: number): number {
  const d1 = da + db - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - da * db;
  if (disc < 0) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  return b - (b - a) * (db + d2 - d1) / (db - da + 2 * d2);
}
