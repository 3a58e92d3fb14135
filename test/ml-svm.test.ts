import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { blobs, f64, ints, maxDiff, rings, vals } from "./ml-data.js";

const { ml } = fx;

describe("SVC", () => {
  it("finds the maximum-margin hyperplane of a known separable set", () => {
    // Closest points (0, 1) [class 0] and (2, 1) [class 1]: the max-margin boundary is x₁ = 1,
    // w = (1, 0), b = −1 (margin 1/‖w‖ = 1), and only those two points are support vectors.
    const x = f64([0, 1, -1, 0, -1, 3, 2, 1, 3, 0, 4, 2], [6, 2]);
    const y = ints([0, 0, 0, 1, 1, 1]);
    const svc = new ml.SVC({ kernel: "linear", C: 1e6, tol: 1e-6 }).fit(x, y);
    expect(maxDiff(svc.coef, [1, 0])).toBeLessThan(1e-5);
    expect(svc.intercept.item()).toBeCloseTo(-1, 5);
    expect(vals(svc.support)).toEqual([0, 3]);
    expect(svc.nSupport).toEqual([1, 1]);
    expect(svc.score(x, y)).toBe(1);
    // Dual feasibility: Σ αᵢyᵢ = 0, 0 ≤ α ≤ C.
    expect(Math.abs(vals(svc.dualCoef).reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
    // f(x) = ±1 on the support vectors.
    expect(maxDiff(svc.decisionFunction(svc.supportVectors), [-1, 1])).toBeLessThan(1e-5);
  });

  it("a soft margin bounds the multipliers by C", () => {
    const d = blobs(11, [[-1, 0], [1, 0]], 40, 0.9);
    const svc = new ml.SVC({ kernel: "linear", C: 0.5 }).fit(d.x, d.y);
    const coef = vals(svc.dualCoef);
    expect(Math.max(...coef.map(Math.abs))).toBeLessThanOrEqual(0.5 + 1e-12);
    expect(Math.abs(coef.reduce((a, b) => a + b, 0))).toBeLessThan(1e-9);
    expect(svc.score(d.x, d.y)).toBeGreaterThan(0.8);
  });

  it("rbf, laplace and polynomial kernels separate concentric rings; linear cannot", () => {
    const train = rings(12, 200), test = rings(13, 200);
    for (const opts of [{ kernel: "rbf" as const, sigma: 1 }, { kernel: "gaussian" as const, gamma: 1 }, { kernel: "laplace" as const, sigma: 1 }, { kernel: "polynomial" as const, degree: 2, gamma: 1 }]) {
      const svc = new ml.SVC({ C: 10, ...opts }).fit(train.x, train.y);
      expect(svc.score(test.x, test.y), JSON.stringify(opts)).toBeGreaterThan(0.97);
    }
    expect(new ml.SVC({ kernel: "linear" }).fit(train.x, train.y).score(test.x, test.y)).toBeLessThan(0.75);
  });

  it("the rbf decision function is Σ αᵢyᵢ K(xᵢ, x) + b with fx.ml.kernels.rbf", () => {
    const d = rings(14, 60);
    const svc = new ml.SVC({ kernel: "rbf", sigma: 0.8, C: 5 }).fit(d.x, d.y);
    const K = ml.kernels.rbf(d.x, svc.supportVectors, { sigma: 0.8 });
    const f = fx.add(fx.matmul(K, fx.reshape(svc.dualCoef, [-1])), svc.intercept.item() as number);
    expect(maxDiff(svc.decisionFunction(d.x), f)).toBeLessThan(1e-10);
  });

  it("several classes: one-vs-one and one-vs-rest, with probabilities", () => {
    const train = blobs(15, [[0, 3], [3, -2], [-3, -2], [4, 4]], 25, 0.8, [3, 1, 4, 9]);
    for (const multiClass of ["ovo", "ovr"] as const) {
      const svc = new ml.SVC({ kernel: "rbf", C: 1, multiClass, probability: true }).fit(train.x, train.y);
      expect(svc.classes).toEqual([1, 3, 4, 9]);
      expect(svc.decisionFunction(train.x).shape).toEqual([100, multiClass === "ovo" ? 6 : 4]);
      expect(svc.score(train.x, train.y)).toBeGreaterThan(0.97);
      const p = svc.predictProba(train.x);
      expect(maxDiff(fx.sum(p, 1), new Array(100).fill(1))).toBeLessThan(1e-6);
      // The most probable class is the predicted one for nearly every sample.
      const argmax = vals(fx.argmax(p, 1)).map((i) => svc.classes[i]!);
      const pred = vals(svc.predict(train.x));
      expect(argmax.filter((c, i) => c === pred[i]).length).toBeGreaterThan(95);
    }
  });

  it("checks options and fitted state", () => {
    expect(() => new ml.SVC({ kernel: "sigmoid" as never })).toThrow(fx.ValueError);
    expect(() => new ml.SVC({ C: -1 })).toThrow(fx.ValueError);
    expect(() => new ml.SVC().predict(f64([1, 2], [1, 2]))).toThrow(ml.NotFittedError);
    const d = rings(16, 20);
    expect(() => new ml.SVC().fit(d.x, d.y).predictProba(d.x)).toThrow(/probability: true/);
    expect(() => new ml.SVC({ kernel: "rbf" }).fit(d.x, d.y).coef).toThrow(/linear kernel/);
  });
});
