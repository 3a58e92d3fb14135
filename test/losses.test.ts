import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, finiteDiff, flat, rng, uniformArray } from "./support/numeric.js";

const { losses } = fx;
const f64 = (data: number[], shape: number[]) => fx.tensor(new Float64Array(data), { shape });
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// Independent float64 reference formulas, written with Math.* on flat arrays.
const sigma = (x: number) => 1 / (1 + Math.exp(-x));
function rowsOf(x: number[], c: number): number[][] {
  return Array.from({ length: x.length / c }, (_, i) => x.slice(i * c, (i + 1) * c));
}
function logSoftmaxRow(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(sum(row.map((v) => Math.exp(v - m))));
  return row.map((v) => v - lse);
}

type Case = {
  name: string;
  loss: (p: fx.Tensor, t: fx.Tensor, o?: { reduction?: fx.losses.Reduction }) => fx.Tensor;
  /** Prediction and target (flat) plus their shapes. */
  inputs: (r: () => number) => { p: number[]; t: number[]; pShape: number[]; tShape: number[]; tInt?: boolean };
  /** Unreduced reference losses. */
  ref: (p: number[], t: number[]) => number[];
};

const N = 4, C = 3;
const cases: Case[] = [
  {
    name: "mse",
    loss: losses.mse,
    inputs: (r) => ({ p: uniformArray(r, 6, -2, 2), t: uniformArray(r, 6, -2, 2), pShape: [2, 3], tShape: [2, 3] }),
    ref: (p, t) => p.map((v, i) => (v - t[i]!) ** 2),
  },
  {
    name: "mae",
    loss: losses.mae,
    inputs: (r) => ({ p: uniformArray(r, 6, -2, 2), t: uniformArray(r, 6, -2, 2), pShape: [6], tShape: [6] }),
    ref: (p, t) => p.map((v, i) => Math.abs(v - t[i]!)),
  },
  {
    name: "huber(delta 0.7)",
    loss: (p, t, o) => losses.huber(p, t, { ...o, delta: 0.7 }),
    inputs: (r) => ({ p: uniformArray(r, 8, -2, 2), t: uniformArray(r, 8, -2, 2), pShape: [2, 4], tShape: [2, 4] }),
    ref: (p, t) => p.map((v, i) => {
      const d = Math.abs(v - t[i]!);
      return d <= 0.7 ? 0.5 * d * d : 0.7 * (d - 0.35);
    }),
  },
  {
    name: "binaryCrossEntropy",
    loss: losses.binaryCrossEntropy,
    inputs: (r) => ({ p: uniformArray(r, 6, 0.05, 0.95), t: uniformArray(r, 6, 0, 1), pShape: [3, 2], tShape: [3, 2] }),
    ref: (p, t) => p.map((v, i) => -(t[i]! * Math.log(v) + (1 - t[i]!) * Math.log(1 - v))),
  },
  {
    name: "sigmoidBinaryCrossEntropy",
    loss: losses.sigmoidBinaryCrossEntropy,
    inputs: (r) => ({ p: uniformArray(r, 6, -6, 6), t: uniformArray(r, 6, 0, 1), pShape: [6], tShape: [6] }),
    ref: (x, z) => x.map((v, i) => -(z[i]! * Math.log(sigma(v)) + (1 - z[i]!) * Math.log(1 - sigma(v)))),
  },
  {
    name: "softmaxCrossEntropy",
    loss: losses.softmaxCrossEntropy,
    inputs: (r) => {
      const t = rowsOf(uniformArray(r, N * C, 0.1, 1), C).flatMap((row) => row.map((v) => v / sum(row)));
      return { p: uniformArray(r, N * C, -3, 3), t, pShape: [N, C], tShape: [N, C] };
    },
    ref: (x, t) => rowsOf(x, C).map((row, i) => -sum(logSoftmaxRow(row).map((l, c) => t[i * C + c]! * l))),
  },
  {
    name: "softmaxCrossEntropyWithIntegerLabels",
    loss: losses.softmaxCrossEntropyWithIntegerLabels,
    inputs: (r) => ({ p: uniformArray(r, N * C, -3, 3), t: [2, 0, 1, 2], pShape: [N, C], tShape: [N], tInt: true }),
    ref: (x, l) => rowsOf(x, C).map((row, i) => -logSoftmaxRow(row)[l[i]!]!),
  },
  {
    name: "nll",
    loss: losses.nll,
    inputs: (r) => ({ p: uniformArray(r, N * C, -4, -0.1), t: [1, 1, 0, 2], pShape: [N, C], tShape: [N], tInt: true }),
    ref: (lp, l) => rowsOf(lp, C).map((row, i) => -row[l[i]!]!),
  },
  {
    name: "klDivergence",
    loss: losses.klDivergence,
    inputs: (r) => {
      // One target probability is exactly 0, to exercise 0·log 0 = 0.
      const t = rowsOf(uniformArray(r, N * C, 0.1, 1), C).flatMap((row, i) => row.map((v, c) => (i === 1 && c === 2 ? 0 : v)))
        .map((v, k, all) => v / sum(all.slice(Math.floor(k / C) * C, Math.floor(k / C) * C + C)));
      return { p: uniformArray(r, N * C, -3, -0.2), t, pShape: [N, C], tShape: [N, C] };
    },
    ref: (lp, t) => rowsOf(lp, C).map((row, i) => sum(row.map((l, c) => {
      const tc = t[i * C + c]!;
      return tc === 0 ? 0 : tc * (Math.log(tc) - l);
    }))),
  },
  {
    name: "hinge",
    loss: losses.hinge,
    inputs: (r) => ({ p: uniformArray(r, 8, -2, 2), t: uniformArray(r, 8, 0, 1).map((v) => (v < 0.5 ? -1 : 1)), pShape: [8], tShape: [8] }),
    ref: (s, y) => s.map((v, i) => Math.max(0, 1 - y[i]! * v)),
  },
];

describe("losses against float64 reference formulas", () => {
  for (const c of cases) {
    describe(c.name, () => {
      const { p, t, pShape, tShape, tInt } = c.inputs(rng(c.name.length * 7919));
      const target = tInt ? fx.tensor(t, { dtype: "int32", shape: tShape }) : f64(t, tShape);
      const expected = c.ref(p, t);

      it("matches the formula with reduction none, sum and mean (float64)", () => {
        const none = c.loss(f64(p, pShape), target, { reduction: "none" });
        expectAllClose(flat(none.toArray()), expected, 1e-12, 1e-14);
        expect(c.loss(f64(p, pShape), target, { reduction: "sum" }).item()).toBeCloseTo(sum(expected), 11);
        expect(c.loss(f64(p, pShape), target).item()).toBeCloseTo(sum(expected) / expected.length, 11);
      });

      it("keeps the prediction's dtype and agrees in float32", () => {
        const pred32 = fx.tensor(p, { shape: pShape });
        const out = c.loss(pred32, tInt ? target : fx.tensor(t, { shape: tShape }));
        expect(out.dtype).toBe("float32");
        expect(out.shape).toEqual([]);
        expect(out.item()).toBeCloseTo(sum(expected) / expected.length, 5);
      });

      it("has the gradient of float64 finite differences", () => {
        const g = fx.grad((x: fx.Tensor) => c.loss(x, target, { reduction: "sum" }))(f64(p, pShape)) as fx.Tensor;
        const numeric = finiteDiff((x) => sum(c.ref(x, t)), p);
        expectAllClose(flat(g.toArray()), numeric, 1e-6, 1e-8);
      });
    });
  }
});

describe("losses stay finite for huge inputs", () => {
  it("sigmoidBinaryCrossEntropy at ±1e4 logits is exact and its gradient is σ(x) − z", () => {
    const x = fx.tensor([1e4, -1e4, 1e4, -1e4]);
    const z = fx.tensor([1, 0, 0, 1]);
    expect(flat(losses.sigmoidBinaryCrossEntropy(x, z, { reduction: "none" }).toArray())).toEqual([0, 0, 1e4, 1e4]);
    const g = fx.grad((v: fx.Tensor) => losses.sigmoidBinaryCrossEntropy(v, z, { reduction: "sum" }))(x) as fx.Tensor;
    expect(flat(g.toArray())).toEqual([0, 0, 1, -1]);
  });

  it("sigmoidBinaryCrossEntropy has gradient exactly ½ − z at logit 0", () => {
    const z = fx.tensor([0, 1, 0.25], { dtype: "float64" });
    const g = fx.grad((v: fx.Tensor) => losses.sigmoidBinaryCrossEntropy(v, z, { reduction: "sum" }))(fx.zeros([3], "float64")) as fx.Tensor;
    expect(flat(g.toArray())).toEqual([0.5, -0.5, 0.25]);
    expect(losses.sigmoidBinaryCrossEntropy(0, 1).item()).toBeCloseTo(Math.LN2, 6);
  });

  it("softmax cross-entropies at ±1e4 logits give the exact margin and finite gradients", () => {
    const logits = fx.tensor([[1e4, -1e4, 0], [-1e4, 1e4, 1e4]]);
    const ce = losses.softmaxCrossEntropyWithIntegerLabels(logits, [1, 0], { reduction: "none" });
    expect(flat(ce.toArray())).toEqual([2e4, 2e4 + Math.fround(Math.log(2))].map(Math.fround));
    const oneHot = fx.tensor([[0, 1, 0], [1, 0, 0]]);
    expect(flat(losses.softmaxCrossEntropy(logits, oneHot, { reduction: "none" }).toArray())).toEqual(flat(ce.toArray()));
    const g = fx.grad((l: fx.Tensor) => losses.softmaxCrossEntropy(l, oneHot))(logits) as fx.Tensor;
    expect(flat(g.toArray()).every(Number.isFinite)).toBe(true);
    // d/dlogits = (softmax − onehot) / N
    expectAllClose(flat(g.toArray()), [0.5, -0.5, 0, -0.5, 0.25, 0.25], 1e-6, 1e-7);
  });

  it("binaryCrossEntropy clips probabilities 0 and 1 to a finite loss with zero gradient there", () => {
    const p = fx.tensor([0, 1, 0, 1]);
    const z = fx.tensor([1, 0, 0, 1]);
    const l = flat(losses.binaryCrossEntropy(p, z, { reduction: "none" }).toArray());
    expect(l.every(Number.isFinite)).toBe(true);
    expect(l[0]).toBeCloseTo(-Math.log(1e-7), 3);
    expect(l[2]).toBeLessThan(1e-6);
    const g = fx.grad((v: fx.Tensor) => losses.binaryCrossEntropy(v, z))(p) as fx.Tensor;
    expect(flat(g.toArray()).map((v) => v + 0)).toEqual([0, 0, 0, 0]); // + 0 folds −0 into 0
  });

  it("mse, huber and hinge are finite at 1e15 in float32", () => {
    const big = fx.tensor([1e15, -1e15]);
    for (const f of [losses.mse, losses.mae, losses.huber, losses.hinge]) {
      expect(Number.isFinite(f(big, fx.tensor([1, -1])).item())).toBe(true);
    }
  });

  it("klDivergence of a distribution with itself is 0, also with zero probabilities", () => {
    const t = fx.tensor([[0.5, 0.5, 0], [1, 0, 0]], { dtype: "float64" });
    const lp = fx.log(fx.maximum(t, 1e-300));
    expect(losses.klDivergence(lp, t).item()).toBeCloseTo(0, 12);
  });
});

describe("losses reject bad input clearly", () => {
  it("refuses a prediction/target shape mismatch instead of broadcasting", () => {
    expect(() => losses.mse(fx.zeros([3, 1]), fx.zeros([3]))).toThrow(fx.ShapeError);
    expect(() => losses.mse(fx.zeros([3, 1]), fx.zeros([3]))).toThrow(/\[3, 1\].*\[3\]/);
  });
  it("checks integer labels: dtype, shape and range", () => {
    const logits = fx.zeros([2, 3]);
    expect(() => losses.softmaxCrossEntropyWithIntegerLabels(logits, fx.tensor([0, 1]))).toThrow(fx.DTypeError);
    expect(() => losses.nll(logits, [0, 1, 2])).toThrow(fx.ShapeError);
    expect(() => losses.nll(logits, [0, 3])).toThrow(fx.IndexError);
    expect(() => losses.nll(logits, [-1, 0])).toThrow(/label -1/);
  });
  it("rejects an unknown reduction and a bad huber delta", () => {
    expect(() => losses.mse(fx.zeros([2]), fx.zeros([2]), { reduction: "avg" as never })).toThrow(fx.ValueError);
    expect(() => losses.huber(fx.zeros([2]), fx.zeros([2]), { delta: 0 })).toThrow(/delta/);
  });
  it("takes the class axis as an option", () => {
    const logits = fx.tensor([[[1, 2], [3, 0], [0, 1]]], { dtype: "float64" }); // [1, C=3, 2]
    const byAxis1 = losses.softmaxCrossEntropyWithIntegerLabels(logits, fx.tensor([[1, 0]], { dtype: "int32" }), { axis: 1, reduction: "none" });
    const moved = losses.softmaxCrossEntropyWithIntegerLabels(fx.transpose(logits, [0, 2, 1]), fx.tensor([[1, 0]], { dtype: "int32" }), { reduction: "none" });
    expectAllClose(flat(byAxis1.toArray()), flat(moved.toArray()), 1e-14);
    expect(byAxis1.shape).toEqual([1, 2]);
  });
  it("works under jit and vmap", () => {
    const logits = fx.tensor([[1, 2, 3], [0, 0, 1]]);
    const labels = fx.tensor([2, 1], { dtype: "int32" });
    const eager = losses.softmaxCrossEntropyWithIntegerLabels(logits, labels).item();
    const jitted = fx.jit((l: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(l, y));
    expect(jitted(logits, labels).item()).toBeCloseTo(eager, 6);
    const perRow = fx.vmap((l: fx.Tensor, y: fx.Tensor) => losses.softmaxCrossEntropyWithIntegerLabels(l, y))(logits, labels);
    expect(perRow.mean().item()).toBeCloseTo(eager, 6);
  });
});

describe("label arrays", () => {
  it("rejects non-integer JS labels instead of truncating them", () => {
    expect(() => fx.losses.nll(fx.zeros([2, 3]), [0, 1.5])).toThrow(/labels must be integers, got 1.5/);
    expect(fx.losses.nll(fx.tensor([[-1, -2]]), [1]).item()).toBe(2);
  });
});
