import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { lbfgs } from "../src/ml/internal/lbfgs.js";
import { blobs, f64, gaussian, ints, maxDiff, rng, vals } from "./ml-data.js";

const { ml } = fx;

describe("fx.ml.kernels match the lecture formulas", () => {
  const r = rng(1);
  const X = Array.from({ length: 5 }, () => Array.from({ length: 3 }, () => gaussian(r)));
  const Z = Array.from({ length: 4 }, () => Array.from({ length: 3 }, () => gaussian(r)));
  const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
  const dist2 = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
  const gramOf = (f: (a: number[], b: number[]) => number) => X.map((a) => Z.map((b) => f(a, b))).flat();
  const x = f64(X.flat(), [5, 3]), z = f64(Z.flat(), [4, 3]);

  it("linear: K = x·z", () => {
    const K = ml.kernels.linear(x, z);
    expect(K.shape).toEqual([5, 4]);
    expect(maxDiff(K, gramOf(dot))).toBeLessThan(1e-12);
  });

  it("polynomial: (x·z)^d and (1 + x·z)^d", () => {
    expect(maxDiff(ml.kernels.polynomial(x, z, { degree: 3, coef0: 0 }), gramOf((a, b) => dot(a, b) ** 3))).toBeLessThan(1e-10);
    expect(maxDiff(ml.kernels.polynomial(x, z, { degree: 2 }), gramOf((a, b) => (1 + dot(a, b)) ** 2))).toBeLessThan(1e-10);
    expect(ml.kernels.polynomial([1, 2], [3, 4], { degree: 2 }).item()).toBeCloseTo(144, 4);
  });

  it("Gaussian: exp(−‖x − z‖² / (2σ²)), or gamma", () => {
    for (const sigma of [0.5, 1, 3]) {
      expect(maxDiff(ml.kernels.rbf(x, z, { sigma }), gramOf((a, b) => Math.exp(-dist2(a, b) / (2 * sigma * sigma))))).toBeLessThan(1e-12);
    }
    expect(maxDiff(ml.kernels.rbf(x, z, { gamma: 0.7 }), gramOf((a, b) => Math.exp(-0.7 * dist2(a, b))))).toBeLessThan(1e-12);
    // K(x, x) = 1 exactly on the diagonal.
    const Kxx = ml.kernels.rbf(x);
    expect([0, 1, 2, 3, 4].map((i) => vals(Kxx)[i * 5 + i])).toEqual([1, 1, 1, 1, 1]);
  });

  it("Laplace: exp(−‖x − z‖ / (2σ²))", () => {
    for (const sigma of [0.5, 2]) {
      expect(maxDiff(ml.kernels.laplace(x, z, { sigma }), gramOf((a, b) => Math.exp(-Math.sqrt(dist2(a, b)) / (2 * sigma * sigma))))).toBeLessThan(1e-12);
    }
    expect(ml.kernels.laplace([0, 0], [3, 4], { sigma: 1 }).item()).toBeCloseTo(Math.exp(-2.5), 6);
  });

  it("vectors give scalars; mismatched features and bad widths throw", () => {
    expect(ml.kernels.linear([1, 2], [3, 4]).shape).toEqual([]);
    expect(() => ml.kernels.linear(x, f64([1, 2], [1, 2]))).toThrow(fx.ShapeError);
    expect(() => ml.kernels.rbf(x, z, { sigma: 0 })).toThrow(fx.ValueError);
    expect(() => ml.kernels.rbf(x, z, { sigma: 1, gamma: 1 })).toThrow(/not both/);
  });

  it("kernels are differentiable (grad of an rbf value matches the formula)", () => {
    const g = fx.grad((a: fx.Tensor) => ml.kernels.rbf(a, fx.tensor([1, 2], { dtype: "float64" }), { sigma: 1 }))(fx.tensor([0.5, 0], { dtype: "float64" }));
    const k = Math.exp(-(0.25 + 4) / 2);
    expect(maxDiff(g, [-(0.5 - 1) * k, -(0 - 2) * k])).toBeLessThan(1e-12);
  });
});

describe("StandardScaler", () => {
  it("gives zero mean and unit variance, and inverts", () => {
    const { x } = blobs(2, [[5, -3, 100]], 50, 2);
    const s = new ml.StandardScaler().fit(x);
    const z = s.transform(x);
    const m = fx.mean(z, 0), sd = fx.std(z, 0);
    expect(maxDiff(m, [0, 0, 0])).toBeLessThan(1e-12);
    expect(maxDiff(sd, [1, 1, 1])).toBeLessThan(1e-12);
    expect(maxDiff(s.inverseTransform(z), x)).toBeLessThan(1e-10);
  });

  it("leaves constant features centred instead of dividing by zero", () => {
    const z = new ml.StandardScaler().fitTransform(f64([1, 7, 2, 7, 3, 7], [3, 2]));
    expect(vals(z).every(Number.isFinite)).toBe(true);
    expect(vals(z).filter((_, i) => i % 2 === 1)).toEqual([0, 0, 0]);
  });
});

describe("LinearRegression and Ridge", () => {
  const r = rng(3);
  const n = 40, d = 3;
  const X = Array.from({ length: n * d }, () => gaussian(r));
  const w = [2, -1, 0.5], b = 3;
  const yExact = Array.from({ length: n }, (_, i) => w.reduce((s, wj, j) => s + wj * X[i * d + j]!, b));
  const yNoisy = yExact.map((v) => v + 0.3 * gaussian(r));
  const x = f64(X, [n, d]);

  it("recovers exact coefficients from noiseless data (R² = 1)", () => {
    const lr = new ml.LinearRegression().fit(x, f64(yExact, [n]));
    expect(maxDiff(lr.coef, w)).toBeLessThan(1e-10);
    expect(lr.intercept.item()).toBeCloseTo(b, 10);
    expect(lr.score(x, f64(yExact, [n]))).toBeCloseTo(1, 12);
  });

  it("matches the normal equations [X 1]ᵀ[X 1] θ = [X 1]ᵀy on noisy data", () => {
    const lr = new ml.LinearRegression().fit(x, f64(yNoisy, [n]));
    const A = fx.concatenate([x, fx.ones([n, 1], "float64")], 1);
    const theta = fx.linalg.solve(fx.matmul(A.T, A), fx.matmul(A.T, f64(yNoisy, [n])));
    expect(maxDiff(lr.coef, vals(theta).slice(0, d))).toBeLessThan(1e-9);
    expect(lr.intercept.item()).toBeCloseTo(vals(theta)[d]!, 9);
    expect(lr.score(x, f64(yNoisy, [n]))).toBeGreaterThan(0.95);
  });

  it("fits several targets at once ([nTargets, nFeatures] coefficients)", () => {
    const y2 = f64(yExact.flatMap((v, i) => [v, -2 * v + X[i * d]!]), [n, 2]);
    const lr = new ml.LinearRegression().fit(x, y2);
    expect(lr.coef.shape).toEqual([2, 3]);
    expect(maxDiff(lr.coef, [...w, ...w.map((v, j) => -2 * v + (j === 0 ? 1 : 0))])).toBeLessThan(1e-9);
    expect(lr.predict(x).shape).toEqual([n, 2]);
  });

  it("gives the minimum-norm solution for duplicated columns", () => {
    const xd = f64(Array.from({ length: n }, (_, i) => [X[i * d]!, X[i * d]!]).flat(), [n, 2]);
    const lr = new ml.LinearRegression({ fitIntercept: false }).fit(xd, f64(Array.from({ length: n }, (_, i) => 4 * X[i * d]!), [n]));
    expect(maxDiff(lr.coef, [2, 2])).toBeLessThan(1e-9);
  });

  it("Ridge solves (X_cᵀX_c + αI) w = X_cᵀ y_c and shrinks the weights", () => {
    const alpha = 5;
    const ridge = new ml.Ridge({ alpha }).fit(x, f64(yNoisy, [n]));
    const xc = fx.sub(x, fx.mean(x, 0));
    const yc = fx.sub(f64(yNoisy, [n]), fx.mean(f64(yNoisy, [n])));
    const wExpected = fx.linalg.solve(fx.add(fx.matmul(xc.T, xc), fx.mul(fx.eye(d, d, 0, "float64"), alpha)), fx.matmul(xc.T, yc));
    expect(maxDiff(ridge.coef, wExpected)).toBeLessThan(1e-10);
    const ols = new ml.LinearRegression().fit(x, f64(yNoisy, [n]));
    const norm = (t: fx.Tensor) => Math.hypot(...vals(t));
    expect(norm(ridge.coef)).toBeLessThan(norm(ols.coef));
    expect(maxDiff(new ml.Ridge({ alpha: 0 }).fit(x, f64(yNoisy, [n])).coef, ols.coef)).toBeLessThan(1e-9);
  });

  it("checks inputs and fitted state", () => {
    expect(() => new ml.LinearRegression().predict(x)).toThrow(ml.NotFittedError);
    expect(() => new ml.LinearRegression().fit(x, f64([1, 2], [2]))).toThrow(fx.ShapeError);
    const lr = new ml.LinearRegression().fit(x, f64(yExact, [n]));
    expect(() => lr.predict(f64([1, 2], [1, 2]))).toThrow(/3/);
    expect(() => new ml.Ridge({ alpha: -1 })).toThrow(fx.ValueError);
  });
});

describe("L-BFGS", () => {
  it("minimises the Rosenbrock function", () => {
    const f = (v: Float64Array): [number, Float64Array] => {
      const [x, y] = [v[0]!, v[1]!];
      return [(1 - x) ** 2 + 100 * (y - x * x) ** 2, Float64Array.from([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])];
    };
    const res = lbfgs(f, Float64Array.from([-1.2, 1]), { maxIter: 200, gtol: 1e-8 });
    expect(res.converged).toBe(true);
    expect(res.x[0]).toBeCloseTo(1, 5);
    expect(res.x[1]).toBeCloseTo(1, 5);
    // Each accepted step decreases f (sufficient decrease).
    for (let i = 1; i < res.history.length; i++) expect(res.history[i]!).toBeLessThanOrEqual(res.history[i - 1]!);
  });
});

describe("LogisticRegression", () => {
  const two = blobs(4, [[-1, -1], [1.2, 0.8]], 40, 0.8);
  const three = blobs(5, [[0, 3], [3, -2], [-3, -2]], 30, 0.7, [2, 5, 7]);

  it("binary: fits, is at a stationary point of its objective, and predicts", () => {
    const clf = new ml.LogisticRegression({ C: 1, tol: 1e-8, maxIter: 200 }).fit(two.x, two.y);
    expect(clf.converged).toBe(true);
    expect(clf.coef.shape).toEqual([1, 2]);
    const g = fx.grad(clf.objective(two.x, two.y))(clf.params);
    expect(Math.max(...vals(g).map(Math.abs))).toBeLessThan(1e-7);
    expect(clf.score(two.x, two.y)).toBeGreaterThan(0.9);
    const p = clf.predictProba(two.x);
    expect(p.shape).toEqual([80, 2]);
    // P(class 1) = σ(x·w + b).
    const z = vals(clf.decisionFunction(two.x));
    expect(maxDiff(vals(p).filter((_, i) => i % 2 === 1), z.map((v) => 1 / (1 + Math.exp(-v))))).toBeLessThan(1e-12);
  });

  it("a smaller C (stronger penalty) shrinks the weights", () => {
    const strong = new ml.LogisticRegression({ C: 0.01 }).fit(two.x, two.y);
    const weak = new ml.LogisticRegression({ C: 100 }).fit(two.x, two.y);
    expect(Math.hypot(...vals(strong.coef))).toBeLessThan(Math.hypot(...vals(weak.coef)));
  });

  it("multinomial: original labels, probabilities summing to 1, stationary point", () => {
    const clf = new ml.LogisticRegression({ tol: 1e-7, maxIter: 300 }).fit(three.x, three.y);
    expect(clf.classes).toEqual([2, 5, 7]);
    expect(clf.coef.shape).toEqual([3, 2]);
    expect(clf.score(three.x, three.y)).toBe(1);
    expect(new Set(vals(clf.predict(three.x)))).toEqual(new Set([2, 5, 7]));
    const rows = fx.sum(clf.predictProba(three.x), 1);
    expect(maxDiff(rows, new Array(90).fill(1))).toBeLessThan(1e-12);
    const g = fx.grad(clf.objective(three.x, three.y))(clf.params);
    expect(Math.max(...vals(g).map(Math.abs))).toBeLessThan(1e-6);
  });

  it("the loss is convex: its Hessian (fx.hessian) is positive semidefinite everywhere we look", () => {
    const r = rng(6);
    for (const [data, label] of [[two, "binary"], [three, "multinomial"]] as const) {
      const J = new ml.LogisticRegression({ C: 1e6 }).objective(data.x, data.y);
      const size = label === "binary" ? 3 : 9;
      for (let trial = 0; trial < 3; trial++) {
        const theta = f64(Array.from({ length: size }, () => 2 * gaussian(r)), [size]);
        const H = fx.hessian(J)(theta);
        expect(H.shape).toEqual([size, size]);
        expect(maxDiff(H, H.T)).toBeLessThan(1e-10);
        const [eig] = fx.linalg.eigh(H);
        expect(Math.min(...vals(eig))).toBeGreaterThan(-1e-10);
      }
    }
  });

  it("rejects one-class data and bad options", () => {
    expect(() => new ml.LogisticRegression().fit(two.x, ints(new Array(80).fill(1)))).toThrow(/at least 2 classes/);
    expect(() => new ml.LogisticRegression({ C: 0 })).toThrow(fx.ValueError);
    expect(() => new ml.LogisticRegression().fit(two.x, f64(new Array(80).fill(0.5), [80]))).toThrow(/whole numbers/);
  });
});

describe("Perceptron", () => {
  it("makes no mistakes after finitely many epochs on separable data", () => {
    const d = blobs(7, [[-2, -2], [2, 2]], 50, 0.6);
    const p = new ml.Perceptron({ tol: null, maxIter: 100 }).fit(d.x, d.y);
    expect(p.mistakesPerEpoch.at(-1)).toBe(0);
    expect(p.nIter).toBeLessThan(100);
    expect(p.score(d.x, d.y)).toBe(1);
    // The learned hyperplane separates: y·(w·x + b) > 0 for every sample.
    const z = vals(p.decisionFunction(d.x));
    d.ys.forEach((label, i) => expect((label === 1 ? 1 : -1) * z[i]!).toBeGreaterThan(0));
  });

  it("is reproducible with a key, and handles several classes one-vs-rest", () => {
    const d = blobs(8, [[0, 4], [4, -3], [-4, -3]], 40, 0.5);
    const a = new ml.Perceptron({ key: 3 }).fit(d.x, d.y), b = new ml.Perceptron({ key: 3 }).fit(d.x, d.y);
    expect(vals(a.coef)).toEqual(vals(b.coef));
    expect(a.coef.shape).toEqual([3, 2]);
    expect(a.score(d.x, d.y)).toBeGreaterThan(0.95);
  });
});
