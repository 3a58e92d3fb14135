import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat, rng, uniformArray } from "./support/numeric.js";

const { nn } = fx;
const key = fx.random.key(2024);
const f64 = (data: number[], shape: number[]) => fx.tensor(new Float64Array(data), { shape });
const randn64 = (shape: number[], seed: number) => fx.random.normal(fx.random.key(seed), shape, { dtype: "float64" });
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A copy of `t` with flat element i shifted by h. */
function bump(t: fx.Tensor, i: number, h: number): fx.Tensor {
  const d = Float64Array.from(t.data());
  d[i]! += h;
  return fx.tensor(d, { shape: [...t.shape], dtype: "float64" });
}

/**
 * Checks reverse-mode gradients of Σ forward(x)·R (R fixed, random) with
 * respect to every parameter and input element against float64 central differences.
 */
function checkModuleGrad(model: fx.nn.Module, x: fx.Tensor, opts: fx.nn.ForwardOptions = {}, tol = 1e-6): void {
  const R = randn64([...model.forward(x, opts).shape], 99);
  const loss = (m: fx.nn.Module, xx: fx.Tensor) => m.forward(xx, opts).mul(R).sum();
  const [gm, gx] = fx.grad(loss, { argnums: [0, 1] })(model, x) as [fx.nn.Module, fx.Tensor];
  const [leaves, def] = fx.tree.flatten(model);
  const gLeaves = fx.tree.leaves(gm) as fx.Tensor[];
  const h = 1e-6;
  leaves.forEach((leaf, li) => {
    const t = leaf as fx.Tensor;
    const numeric = Array.from({ length: t.size }, (_, i) => {
      const at = (d: number) => loss(fx.tree.unflatten(def, leaves.map((l, k) => (k === li ? bump(t, i, d) : l))) as fx.nn.Module, x).item();
      return (at(h) - at(-h)) / (2 * h);
    });
    expectAllClose(flat(gLeaves[li]!.toArray()), numeric, tol, tol);
  });
  const numericX = Array.from({ length: x.size }, (_, i) => (loss(model, bump(x, i, h)).item() - loss(model, bump(x, i, -h)).item()) / (2 * h));
  expectAllClose(flat(gx.toArray()), numericX, tol, tol);
}

/** Naive N-d-free 2-D convolution in plain JS (PyTorch semantics), for reference. */
function convRef(x: number[], xs: number[], w: number[], ws: number[], b: number[] | null,
  o: { stride: [number, number]; pad: [number, number]; dil: [number, number]; groups: number }): { out: number[]; shape: number[] } {
  const [N, C, H, W] = xs as [number, number, number, number];
  const [O, Cg, KH, KW] = ws as [number, number, number, number];
  const OH = Math.floor((H + 2 * o.pad[0] - o.dil[0] * (KH - 1) - 1) / o.stride[0]) + 1;
  const OW = Math.floor((W + 2 * o.pad[1] - o.dil[1] * (KW - 1) - 1) / o.stride[1]) + 1;
  const out: number[] = [];
  const perGroup = O / o.groups;
  for (let n = 0; n < N; n++) for (let oc = 0; oc < O; oc++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++) {
    let s = b ? b[oc]! : 0;
    const g = Math.floor(oc / perGroup);
    for (let c = 0; c < Cg; c++) for (let ki = 0; ki < KH; ki++) for (let kj = 0; kj < KW; kj++) {
      const y = i * o.stride[0] - o.pad[0] + ki * o.dil[0], z = j * o.stride[1] - o.pad[1] + kj * o.dil[1];
      if (y < 0 || y >= H || z < 0 || z >= W) continue;
      s += x[((n * C + g * Cg + c) * H + y) * W + z]! * w[((oc * Cg + c) * KH + ki) * KW + kj]!;
    }
    out.push(s);
  }
  return { out, shape: [N, O, OH, OW] };
}

/** erf by its Taylor series (fine to ~1e-13 for |x| ≤ 3), independent of the library's kernel. */
function erfRef(x: number): number {
  let term = x, sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

describe("Linear", () => {
  it("computes x Wᵀ + b with PyTorch's [out, in] layout", () => {
    const lin = new nn.Linear(3, 2, { key, dtype: "float64" });
    expect(lin.weight.shape).toEqual([2, 3]);
    const x = randn64([4, 3], 1);
    const W = lin.weight.toArray() as number[][], b = flat(lin.bias!.toArray()), X = x.toArray() as number[][];
    const want = X.flatMap((row) => W.map((wr, o) => wr.reduce((s, w, i) => s + w * row[i]!, b[o]!)));
    expectAllClose(flat(lin.forward(x).toArray()), want, 1e-12);
    expect(lin.forward(randn64([3], 2)).shape).toEqual([2]); // unbatched
    expect(lin.forward(randn64([2, 5, 3], 2)).shape).toEqual([2, 5, 2]);
  });

  it("initializes as PyTorch does: U(±1/√in) for weight and bias", () => {
    const lin = new nn.Linear(400, 300, { key });
    const w = flat(lin.weight.toArray()), b = flat(lin.bias!.toArray());
    const bound = 1 / Math.sqrt(400);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.99 * bound);
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    // variance of U(−b, b) is b²/3
    const v = w.reduce((s, x) => s + x * x, 0) / w.length;
    expect(v).toBeCloseTo((bound * bound) / 3, 5);
  });

  it("same key, same weights; no bias when asked; clear errors", () => {
    expect(flat(new nn.Linear(3, 2, { key }).weight.toArray())).toEqual(flat(new nn.Linear(3, 2, { key }).weight.toArray()));
    expect(new nn.Linear(3, 2, { key, bias: false }).bias).toBeNull();
    expect(() => new nn.Linear(3, 2, {} as never)).toThrow(/needs a key/);
    expect(() => new nn.Linear(3, 2, { key }).forward(fx.ones([4, 5]))).toThrow(fx.ShapeError);
    expect(() => new nn.Linear(0, 2, { key })).toThrow(/inFeatures/);
  });

  it("has exact gradients (float64 finite differences)", () => {
    checkModuleGrad(new nn.Linear(3, 2, { key, dtype: "float64" }), randn64([4, 3], 3));
  });
});

describe("Conv1d and Conv2d", () => {
  it("Conv2d matches a naive convolution with stride, padding, dilation and groups", () => {
    const conv = new nn.Conv2d(4, 6, [3, 2], { key, stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2, dtype: "float64" });
    expect(conv.weight.shape).toEqual([6, 2, 3, 2]);
    const x = randn64([2, 4, 7, 6], 4);
    const ref = convRef(flat(x.toArray()), [2, 4, 7, 6], flat(conv.weight.toArray()), [6, 2, 3, 2], flat(conv.bias!.toArray()),
      { stride: [2, 1], pad: [1, 2], dil: [1, 2], groups: 2 });
    const y = conv.forward(x);
    expect(y.shape).toEqual(ref.shape);
    expectAllClose(flat(y.toArray()), ref.out, 1e-12, 1e-12);
  });

  it("'same' padding keeps the spatial size; the default init is U(±1/√fanIn)", () => {
    const conv = new nn.Conv2d(3, 8, 5, { key, padding: "same" });
    expect(conv.forward(fx.ones([2, 3, 9, 9])).shape).toEqual([2, 8, 9, 9]);
    const bound = 1 / Math.sqrt(3 * 5 * 5);
    const w = flat(conv.weight.toArray());
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
  });

  it("Conv1d equals Conv2d on a height-1 image", () => {
    const c1 = new nn.Conv1d(2, 3, 3, { key, stride: 2, padding: 1, dtype: "float64" });
    const x = randn64([2, 2, 9], 5);
    const ref = convRef(flat(x.toArray()), [2, 2, 1, 9], flat(c1.weight.toArray()), [3, 2, 1, 3], flat(c1.bias!.toArray()),
      { stride: [1, 2], pad: [0, 1], dil: [1, 1], groups: 1 });
    const y = c1.forward(x);
    expect(y.shape).toEqual([2, 3, 5]);
    expectAllClose(flat(y.toArray()), ref.out, 1e-12, 1e-12);
  });

  it("rejects bad configurations and inputs", () => {
    expect(() => new nn.Conv2d(3, 4, 3, { key, groups: 2 })).toThrow(/divisible by groups/);
    expect(() => new nn.Conv2d(3, 4, 3, { key }).forward(fx.ones([1, 2, 5, 5]))).toThrow(/channels of size 3/);
  });

  it("have exact gradients (float64 finite differences)", () => {
    checkModuleGrad(new nn.Conv2d(2, 4, 3, { key, stride: 2, padding: 1, groups: 2, dtype: "float64" }), randn64([1, 2, 5, 5], 6));
    checkModuleGrad(new nn.Conv1d(2, 2, 2, { key, dilation: 2, dtype: "float64" }), randn64([2, 2, 6], 7));
  });
});

describe("pooling", () => {
  const x = fx.arange(0, 32, 1, "float64").reshape([1, 2, 4, 4]).mul(1.5).sin();
  const X = flat(x.toArray());
  const at = (c: number, i: number, j: number) => X[(c * 4 + i) * 4 + j]!;
  it("MaxPool2d and AvgPool2d take each window's max and mean", () => {
    const mx = flat(new nn.MaxPool2d(2).forward(x).toArray());
    const av = flat(new nn.AvgPool2d(2).forward(x).toArray());
    const wantMax: number[] = [], wantAvg: number[] = [];
    for (let c = 0; c < 2; c++) for (let i = 0; i < 4; i += 2) for (let j = 0; j < 4; j += 2) {
      const w = [at(c, i, j), at(c, i, j + 1), at(c, i + 1, j), at(c, i + 1, j + 1)];
      wantMax.push(Math.max(...w));
      wantAvg.push(w.reduce((a, b) => a + b) / 4);
    }
    expect(mx).toEqual(wantMax);
    expectAllClose(av, wantAvg, 1e-14);
  });
  it("take stride and padding and have no parameters", () => {
    expect(new nn.MaxPool2d(3, { stride: 1, padding: 1 }).forward(x).shape).toEqual([1, 2, 4, 4]);
    expect(nn.countParams(new nn.AvgPool2d(2))).toBe(0);
    expect(fx.tree.leaves(new nn.MaxPool2d(2)).length).toBe(0);
  });
});

describe("BatchNorm", () => {
  const x = randn64([6, 3, 2, 2], 8).mul(2).add(1);
  const X = x.toArray() as number[][][][];
  const channel = (c: number) => X.flatMap((img) => img[c]!.flat());
  const meanOf = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const varOf = (v: number[]) => meanOf(v.map((a) => (a - meanOf(v)) ** 2));

  it("training normalizes with batch statistics and returns updated running statistics", () => {
    const bn = new nn.BatchNorm(3, { dtype: "float64", momentum: 0.2 });
    const [y, bn2] = nn.call(bn, x, { training: true });
    const Y = y.toArray() as number[][][][];
    for (let c = 0; c < 3; c++) {
      const v = channel(c), mu = meanOf(v), s2 = varOf(v);
      const yc = Y.flatMap((img) => img[c]!.flat());
      expectAllClose(yc, v.map((a) => (a - mu) / Math.sqrt(s2 + 1e-5)), 1e-12, 1e-12);
      const n = v.length;
      expect(flat(bn2.runningMean.toArray())[c]).toBeCloseTo(0.8 * 0 + 0.2 * mu, 12);
      expect(flat(bn2.runningVar.toArray())[c]).toBeCloseTo(0.8 * 1 + 0.2 * s2 * (n / (n - 1)), 12);
    }
    // the original is unchanged: modules are values
    expect(flat(bn.runningMean.toArray())).toEqual([0, 0, 0]);
  });

  it("eval mode uses the running statistics, and the affine parameters apply", () => {
    let bn = new nn.BatchNorm(3, { dtype: "float64" });
    [, bn] = nn.call(bn, x, { training: true });
    bn = nn.treeAt(bn, (m) => m.weight, f64([2, 3, 4], [3]));
    const rm = flat(bn.runningMean.toArray()), rv = flat(bn.runningVar.toArray());
    const y = bn.forward(x).toArray() as number[][][][];
    for (let c = 0; c < 3; c++) {
      expectAllClose(y.flatMap((img) => img[c]!.flat()), channel(c).map((a) => ((a - rm[c]!) / Math.sqrt(rv[c]! + 1e-5)) * [2, 3, 4][c]!), 1e-12, 1e-12);
    }
    expect(bn.forward(fx.ones([4, 3], "float64")).shape).toEqual([4, 3]); // BatchNorm1d on [N, C]
  });

  it("running statistics are buffers, not trainable", () => {
    const bn = new nn.BatchNorm(5);
    expect(nn.countParams(bn)).toBe(10);
    expect(nn.countParams(bn, nn.isBuffer)).toBe(10);
    expect(() => bn.forward(fx.ones([2, 4]))).toThrow(/\[N, 5, \.\.\.\]/);
    expect(() => bn.forward(fx.ones([1, 5]), { training: true })).toThrow(/more than one value/);
  });

  it("has exact gradients in training and eval mode", () => {
    const bn = fx.tree.map((t: fx.Tensor) => t.add(randn64([...t.shape], 11).mul(0.1)), new nn.BatchNorm(2, { dtype: "float64" }));
    checkModuleGrad(bn, randn64([4, 2, 3], 12), { training: true });
    checkModuleGrad(bn, randn64([4, 2, 3], 12));
  });
});

describe("LayerNorm", () => {
  it("normalizes each example over the trailing axes", () => {
    const ln = new nn.LayerNorm([2, 3], { dtype: "float64" });
    const x = randn64([4, 2, 3], 13);
    const rows = (x.toArray() as number[][][]).map((m) => m.flat());
    const want = rows.flatMap((r) => {
      const mu = r.reduce((a, b) => a + b) / r.length;
      const v = r.reduce((a, b) => a + (b - mu) ** 2, 0) / r.length;
      return r.map((a) => (a - mu) / Math.sqrt(v + 1e-5));
    });
    expectAllClose(flat(ln.forward(x).toArray()), want, 1e-12, 1e-12);
    expect(() => ln.forward(fx.ones([4, 3, 2]))).toThrow(fx.ShapeError);
  });
  it("has exact gradients", () => {
    const ln = fx.tree.map((t: fx.Tensor) => t.add(randn64([...t.shape], 14).mul(0.3)), new nn.LayerNorm(4, { dtype: "float64" }));
    checkModuleGrad(ln, randn64([3, 4], 15));
  });
});

describe("Dropout", () => {
  const x = fx.ones([100, 100]);
  it("is the identity in eval mode", () => {
    expect(new nn.Dropout(0.5).forward(x)).toBe(x);
  });
  it("drops with probability p, scales the rest by 1/(1 − p), and is determined by the key", () => {
    const drop = new nn.Dropout(0.3);
    const a = flat(drop.forward(x, { training: true, key: fx.random.key(1) }).toArray());
    const b = flat(drop.forward(x, { training: true, key: fx.random.key(1) }).toArray());
    const c = flat(drop.forward(x, { training: true, key: fx.random.key(2) }).toArray());
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const zeros = a.filter((v) => v === 0).length / a.length;
    expect(zeros).toBeGreaterThan(0.27);
    expect(zeros).toBeLessThan(0.33);
    expect(a.every((v) => v === 0 || v === Math.fround(1 / 0.7))).toBe(true);
  });
  it("needs a key to train, and gives each dropout in a Sequential its own mask", () => {
    expect(() => new nn.Dropout(0.5).forward(x, { training: true })).toThrow(/needs a key/);
    const seq = new nn.Sequential([new nn.Dropout(0.5), (h: fx.Tensor) => h.mul(0).add(1), new nn.Dropout(0.5)]);
    const lone = flat(new nn.Dropout(0.5).forward(x, { training: true, key: fx.random.key(3) }).toArray());
    const viaSeq = flat(seq.forward(x, { training: true, key: fx.random.key(3) }).toArray());
    expect(viaSeq).not.toEqual(lone);
    expect(flat(seq.forward(x, { training: true, key: fx.random.key(3) }).toArray())).toEqual(viaSeq);
  });
});

describe("Embedding, Sequential, MLP, Flatten", () => {
  it("Embedding looks up rows and accumulates gradients of repeated indices", () => {
    const emb = new nn.Embedding(5, 3, { key, dtype: "float64" });
    const idx = fx.tensor([[1, 4], [1, 0]], { dtype: "int32" });
    const W = emb.weight.toArray() as number[][];
    expect(emb.forward(idx).toArray()).toEqual([[W[1], W[4]], [W[1], W[0]]]);
    const g = fx.grad((m: fx.nn.Embedding) => m.forward(idx).sum())(emb) as fx.nn.Embedding;
    expect(g.weight.toArray()).toEqual([[1, 1, 1], [2, 2, 2], [0, 0, 0], [0, 0, 0], [1, 1, 1]]);
    expect(() => emb.forward(fx.tensor([5], { dtype: "int32" }))).toThrow();
  });

  it("MLP equals its layers composed by hand, and Sequential wraps functions", () => {
    const mlp = new nn.MLP({ inSize: 3, outSize: 2, widths: [4, 5], activation: nn.tanh, finalActivation: nn.sigmoid, key, dtype: "float64" });
    expect(mlp.layers.map((l) => l.weight.shape)).toEqual([[4, 3], [5, 4], [2, 5]]);
    const x = randn64([6, 3], 16);
    const byHand = nn.sigmoid(mlp.layers[2]!.forward(nn.tanh(mlp.layers[1]!.forward(nn.tanh(mlp.layers[0]!.forward(x))))));
    expect(flat(mlp.forward(x).toArray())).toEqual(flat(byHand.toArray()));
    const seq = new nn.Sequential([mlp.layers[0]!, nn.tanh, mlp.layers[1]!, nn.tanh, mlp.layers[2]!, nn.sigmoid]);
    expect(seq.layers[1]).toBeInstanceOf(nn.Lambda);
    expect(flat(seq.forward(x).toArray())).toEqual(flat(byHand.toArray()));
    expect(nn.countParams(mlp)).toBe(16 + 25 + 12);
    expect(new nn.MLP({ inSize: 3, outSize: 1, widths: [], key }).layers.length).toBe(1);
  });

  it("MLP has exact gradients", () => {
    checkModuleGrad(new nn.MLP({ inSize: 3, outSize: 2, widths: [4], activation: nn.gelu, key, dtype: "float64" }), randn64([2, 3], 17));
  });

  it("a small CNN runs end to end with the expected shapes", () => {
    const [k1, k2] = fx.random.split(key);
    const cnn = new nn.Sequential([
      new nn.Conv2d(1, 4, 3, { key: k1!, padding: 1 }), new nn.BatchNorm(4), nn.relu, new nn.MaxPool2d(2),
      new nn.Flatten(), new nn.Dropout(0.1), new nn.Linear(4 * 4 * 4, 10, { key: k2! }),
    ]);
    const [y, next] = nn.call(cnn, fx.random.normal(key, [3, 1, 8, 8]), { training: true, key });
    expect(y.shape).toEqual([3, 10]);
    expect(fx.tree.structure(next)).toBe(fx.tree.structure(cnn));
    expect(new nn.Flatten({ startDim: 0, endDim: 1 }).forward(fx.ones([2, 3, 4])).shape).toEqual([6, 4]);
  });
});

describe("activations", () => {
  const xs = uniformArray(rng(5), 12, -4, 4).filter((v) => Math.abs(v) > 1e-3);
  const x = f64(xs, [xs.length]);
  const sigma = (v: number) => 1 / (1 + Math.exp(-v));
  const table: [string, (t: fx.Tensor) => fx.Tensor, (v: number) => number][] = [
    ["relu", nn.relu, (v) => Math.max(v, 0)],
    ["leakyRelu", (t) => nn.leakyRelu(t, 0.2), (v) => (v > 0 ? v : 0.2 * v)],
    ["gelu (exact)", nn.gelu, (v) => 0.5 * v * (1 + erfRef(v / Math.SQRT2))],
    ["gelu (tanh)", (t) => nn.gelu(t, true), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
    ["sigmoid", nn.sigmoid, sigma],
    ["tanh", nn.tanh, Math.tanh],
    ["softplus", nn.softplus, (v) => Math.log1p(Math.exp(v))],
    ["elu", (t) => nn.elu(t, 1.5), (v) => (v > 0 ? v : 1.5 * Math.expm1(v))],
    ["silu", nn.silu, (v) => v * sigma(v)],
  ];
  for (const [name, f, ref] of table) {
    it(`${name}: values and gradients in float64`, () => {
      expectAllClose(flat(f(x).toArray()), xs.map(ref), 1e-12, 1e-12);
      const g = fx.grad((t: fx.Tensor) => f(t).sum())(x) as fx.Tensor;
      const h = 1e-6;
      expectAllClose(flat(g.toArray()), xs.map((v) => (ref(v + h) - ref(v - h)) / (2 * h)), 1e-6, 1e-7);
    });
  }
  it("stay finite far out (no ∞·0 in gradients)", () => {
    const big = fx.tensor([-1e4, 1e4]);
    for (const [, f] of table) {
      const g = fx.grad((t: fx.Tensor) => f(t).sum())(big) as fx.Tensor;
      expect(flat(f(big).toArray()).every(Number.isFinite)).toBe(true);
      expect(flat(g.toArray()).every(Number.isFinite)).toBe(true);
    }
  });
});

describe("initializers", () => {
  const stats = (t: fx.Tensor) => {
    const v = flat(t.toArray());
    const m = v.reduce((a, b) => a + b) / v.length;
    return { mean: m, std: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length), max: Math.max(...v.map(Math.abs)) };
  };
  it("heNormal, heUniform, glorotUniform, glorotNormal, normal follow their formulas", () => {
    const shape = [64, 32, 3, 3]; // fanIn 288, fanOut 576
    const k = fx.random.split(key, 5);
    const he = stats(nn.init.heNormal(k[0]!, shape));
    expect(he.std).toBeGreaterThan(0.97 * Math.sqrt(2 / 288));
    expect(he.std).toBeLessThan(1.03 * Math.sqrt(2 / 288));
    const heU = stats(nn.init.heUniform(k[1]!, shape, { mode: "fanOut" }));
    expect(heU.max).toBeLessThanOrEqual(Math.sqrt(6 / 576));
    expect(heU.max).toBeGreaterThan(0.99 * Math.sqrt(6 / 576));
    const gu = stats(nn.init.glorotUniform(k[2]!, shape));
    expect(gu.max).toBeLessThanOrEqual(Math.sqrt(6 / (288 + 576)));
    expect(gu.max).toBeGreaterThan(0.99 * Math.sqrt(6 / (288 + 576)));
    const gn = stats(nn.init.glorotNormal(k[3]!, shape));
    expect(gn.std).toBeCloseTo(Math.sqrt(2 / (288 + 576)), 2);
    const n = stats(nn.init.normal(k[4]!, [20000], { mean: 3, std: 0.5 }));
    expect(n.mean).toBeCloseTo(3, 1);
    expect(n.std).toBeCloseTo(0.5, 1);
  });
  it("zeros, dtypes and errors", () => {
    expect(flat(nn.init.zeros(null, [2, 2]).toArray())).toEqual([0, 0, 0, 0]);
    expect(nn.init.heNormal(key, [3, 3], { dtype: "float64" }).dtype).toBe("float64");
    expect(() => nn.init.glorotUniform(key, [5])).toThrow(/at least 2 axes/);
    const lin = new nn.Linear(4, 3, { key, weightInit: nn.init.zeros, biasInit: nn.init.ones });
    expect(flat(lin.weight.toArray())).toEqual(new Array(12).fill(0));
    expect(flat(lin.bias!.toArray())).toEqual([1, 1, 1]);
    expect(size([2, 3])).toBe(6);
  });
});
