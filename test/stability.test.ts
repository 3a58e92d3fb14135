// Numerical stability of the log-space and saturating ops, in float32 and float64.
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const FLOATS: fx.DType[] = ["float32", "float64"];
const allFinite = (t: fx.Tensor) => [...t.data()].every(Number.isFinite);
const noNaN = (t: fx.Tensor) => [...t.data()].every((v) => !Number.isNaN(v));

describe.each(FLOATS)("stability in %s", (dtype) => {
  const T = (v: fx.NestedArray) => fx.tensor(v, { dtype });

  it("logsumexp is finite and exact for logits of ±1e4", () => {
    const x = T([[1e4, -1e4, 0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]]);
    const out = fx.logsumexp(x, -1);
    expect(allFinite(out)).toBe(true);
    const want = [1e4, -1e4 + Math.log(3), 1e4 + Math.log(3)];
    (out.toArray() as number[]).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(dtype === "float32" ? 2e-3 : 1e-9));
    const g = fx.grad((z: fx.Tensor) => fx.logsumexp(z, -1).sum())(x);
    expect(allFinite(g)).toBe(true);
    // The gradient is softmax: rows sum to one, the lone 1e4 takes everything.
    expect((g.sum(-1).toArray() as number[]).map((v) => +v.toFixed(5))).toEqual([1, 1, 1]);
    expect((g.toArray() as number[][])[0]).toEqual([1, 0, 0]);
  });

  it("logSoftmax is finite for logits of ±1e4, with finite gradients", () => {
    const x = T([1e4, -1e4, 0, 5e3]);
    const out = fx.logSoftmax(x);
    expect(allFinite(out)).toBe(true);
    expect((out.toArray() as number[])[0]).toBe(0);
    expect((out.toArray() as number[])[1]).toBe(-2e4);
    const w = T([0.5, -1, 2, 0.25]);
    const g = fx.grad((z: fx.Tensor) => fx.logSoftmax(z).mul(w).sum())(x);
    expect(allFinite(g)).toBe(true);
    // d/dx Σ w·(x − lse) = w − softmax·Σw, with softmax = [1, 0, 0, 0].
    expect(g.toArray()).toEqual([0.5 - 1.75, -1, 2, 0.25]);
  });

  it("a row of all −∞ gives −∞ and no NaN gradient (logsumexp)", () => {
    const x = T([[-Infinity, -Infinity, -Infinity], [0, 1, -Infinity]]);
    const out = fx.logsumexp(x, 1);
    expect((out.toArray() as number[])[0]).toBe(-Infinity);
    expect((out.toArray() as number[])[1]).toBeCloseTo(Math.log(1 + Math.E), 5);
    const g = fx.grad((z: fx.Tensor) => fx.logsumexp(z, 1).mul(fx.tensor([0, 1], { dtype })).sum())(x);
    expect(noNaN(g)).toBe(true);
    expect((g.toArray() as number[][])[0]).toEqual([0, 0, 0]);
    const [, tangent] = fx.jvp((z: fx.Tensor) => fx.logsumexp(z, 1), [x], [fx.onesLike(x)]);
    expect((tangent.toArray() as number[])[1]).toBeCloseTo(1, 5);
  });

  it("a row of all −∞ gives no NaN gradient (logSoftmax and softmax)", () => {
    const x = T([[-Infinity, -Infinity], [2, -Infinity]]);
    const ls = fx.logSoftmax(x);
    expect(noNaN(ls)).toBe(true);
    expect(noNaN(fx.softmax(x))).toBe(true);
    const ct = T([[0.3, -0.7], [1, 0.5]]);
    const [, pullback] = fx.vjp((z: fx.Tensor) => fx.logSoftmax(z), x);
    const g = pullback(ct)[0] as fx.Tensor;
    expect(noNaN(g)).toBe(true);
    // Row 1: ct − softmax·Σct with softmax = [1, 0].
    expect((g.toArray() as number[][])[1]).toEqual([1 - 1.5, 0.5]);
    const gs = fx.grad((z: fx.Tensor) => fx.softmax(z).mul(ct).sum())(x);
    expect(noNaN(gs)).toBe(true);
  });

  it("softplus(1000) = 1000 and softplus(−1000) = 0, with gradients 1 and 0", () => {
    expect(fx.softplus(T(1000)).item()).toBe(1000);
    expect(fx.softplus(T(-1000)).item()).toBe(0);
    expect(fx.softplus(T(0)).item()).toBeCloseTo(Math.log(2), 6);
    const g = fx.grad((z: fx.Tensor) => fx.softplus(z).sum())(T([1000, -1000, 0]));
    expect(g.toArray()).toEqual([1, 0, 0.5]);
  });

  it("sigmoid(±1e4) is finite (1 and 0) with finite gradients, also to second order", () => {
    const x = T([1e4, -1e4, 0]);
    expect(fx.sigmoid(x).toArray()).toEqual([1, 0, 0.5]);
    const d1 = fx.grad((z: fx.Tensor) => fx.sigmoid(z).sum())(x);
    expect(d1.toArray()).toEqual([0, 0, 0.25]);
    const d2 = fx.grad((z: fx.Tensor) => fx.grad((u: fx.Tensor) => fx.sigmoid(u).sum())(z).sum())(x);
    expect(allFinite(d2)).toBe(true);
  });

  it("softmax([1, 2, 3]) ≈ [0.090, 0.245, 0.665] and softmax([2, 4, 6]) ≈ [0.016, 0.117, 0.867]", () => {
    const closedForm = (v: number[]) => {
      const e = v.map(Math.exp);
      const s = e.reduce((a, b) => a + b);
      return e.map((x) => x / s);
    };
    for (const [v, rounded] of [[[1, 2, 3], [0.09, 0.245, 0.665]], [[2, 4, 6], [0.016, 0.117, 0.867]]] as const) {
      const got = fx.softmax(T([...v])).toArray() as number[];
      got.forEach((g, i) => {
        expect(g).toBeCloseTo(closedForm([...v])[i]!, dtype === "float32" ? 6 : 14);
        expect(+g.toFixed(3)).toBe(rounded[i]);
      });
    }
  });

  it("softmax keeps full precision for large logits (shift invariance)", () => {
    const base = [0.5, -1.25, 2];
    for (const shift of [1e3, -1e3, 3e4]) {
      const s = fx.softmax(T(base.map((b) => b + shift))).toArray() as number[];
      const ref = fx.softmax(T(base)).toArray() as number[];
      s.forEach((v, i) => expect(v).toBeCloseTo(ref[i]!, dtype === "float32" ? 6 : 12));
    }
  });

  it("logsumexp with +∞ present is +∞ and NaN-free elsewhere", () => {
    const out = fx.logsumexp(T([[Infinity, 0], [1, 2]]), 1).toArray() as number[];
    expect(out[0]).toBe(Infinity);
    expect(out[1]).toBeCloseTo(2 + Math.log1p(Math.exp(-1)), 5);
  });
});
