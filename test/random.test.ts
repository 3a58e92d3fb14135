import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as fx from "../src/index.js";
import { threefry2x32 } from "../src/backend/reference/kernels/threefry.js";
import * as lax from "../src/primitives/lax.js";
import { erfinv } from "../src/random/erfinv.js";

const R = fx.random;
const flat = (t: fx.Tensor): number[] => Array.from(t.data());
const u32 = (t: fx.Tensor): number[] => flat(t).map((v) => v >>> 0);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
};
const chiSquare = (counts: number[], expected: number[]) => counts.reduce((s, c, i) => s + (c - expected[i]!) ** 2 / expected[i]!, 0);
const stackRows = (ts: fx.Tensor[]) => fx.stack(ts, 0);

describe("Threefry-2x32 (20 rounds)", () => {
  // Known-answer vectors from Random123 (Salmon et al., SC 2011), kat_vectors: threefry2x32_20.
  const KAT: [counter: [number, number], key: [number, number], out: [number, number]][] = [
    [[0x00000000, 0x00000000], [0x00000000, 0x00000000], [0x6b200159, 0x99ba4efe]],
    [[0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
    [[0x243f6a88, 0x85a308d3], [0x13198a2e, 0x03707344], [0xc4923a9c, 0x483df7a0]],
  ];

  it.each(KAT)("counter %j, key %j matches the published answer", (ctr, k, want) => {
    const out = new Int32Array(2);
    threefry2x32(k[0], k[1], ctr[0], ctr[1], out);
    expect([out[0]! >>> 0, out[1]! >>> 0]).toEqual(want);
  });

  it("bits(key(0)) starts with the all-zero known answer (counter (0, 0))", () => {
    expect(u32(R.bits(R.key(0), [2]))).toEqual([0x6b200159, 0x99ba4efe]);
  });

  it("bits(key(-1)) with counter (salt, 0) follows the documented scheme", () => {
    const out = new Int32Array(2);
    threefry2x32(0xffffffff, 0xffffffff, 0xffffffff, 0, out);
    expect(flat(lax.randomBits(R.key(-1), [2], 0xffffffff))).toEqual([out[0], out[1]]);
  });

  it("element i is word i mod 2 of threefry2x32(key, (salt, floor(i / 2)))", () => {
    const key = R.key(0x1234567890);
    const salt = 77;
    const got = flat(lax.randomBits(key, [3, 3], salt));
    const [k0, k1] = flat(key);
    const block = new Int32Array(2);
    const want = got.map((_, i) => {
      threefry2x32(k0!, k1!, salt, Math.floor(i / 2), block);
      return block[i % 2];
    });
    expect(got).toEqual(want);
  });

  it("random_bits with a stack of keys equals one call per key", () => {
    const keys = R.splitStacked(R.key(3), 4);
    const stacked = lax.randomBits(keys, [5], 0);
    expect(stacked.shape).toEqual([4, 5]);
    const each = R.split(R.key(3), 4).map((k) => flat(lax.randomBits(k, [5], 0)));
    expect(stacked.toArray()).toEqual(each);
  });
});

describe("keys", () => {
  it("key(seed) holds the seed as a 64-bit integer [hi, lo]", () => {
    expect(R.key(0).toArray()).toEqual([0, 0]);
    expect(R.key(5).toArray()).toEqual([0, 5]);
    expect(u32(R.key(2 ** 32 + 7))).toEqual([1, 7]);
    expect(u32(R.key(2 ** 53 - 1))).toEqual([2 ** 21 - 1, 2 ** 32 - 1]);
    expect(u32(R.key(-1))).toEqual([2 ** 32 - 1, 2 ** 32 - 1]);
    expect(R.key(0).dtype).toBe("int32");
  });

  it("key(tensor seed) equals key(number seed), including negative seeds", () => {
    for (const s of [0, 9, -3, 2 ** 31 - 1]) {
      expect(R.key(fx.tensor(s, { dtype: "int32" })).toArray()).toEqual(R.key(s).toArray());
    }
  });

  it("split gives n distinct keys that differ from the parent; splitStacked stacks them", () => {
    const k = R.key(42);
    const keys = R.split(k, 5);
    expect(keys).toHaveLength(5);
    const seen = new Set(keys.map((x) => JSON.stringify(x.toArray())));
    seen.add(JSON.stringify(k.toArray()));
    expect(seen.size).toBe(6);
    expect(R.splitStacked(k, 5).toArray()).toEqual(keys.map((x) => x.toArray()));
    const [a, b] = R.split(k);
    expect(a!.shape).toEqual([2]);
    expect(b!.toArray()).toEqual(keys[1]!.toArray());
    expect(R.split(k, 0)).toEqual([]);
  });

  it("foldIn gives distinct keys per datum, and keys that are not shifted copies of each other", () => {
    const k = R.key(7);
    const folded = Array.from({ length: 50 }, (_, i) => JSON.stringify(R.foldIn(k, i).toArray()));
    expect(new Set(folded).size).toBe(50);
    expect(R.foldIn(R.key(0), 1).toArray()).not.toEqual(R.foldIn(R.key(1), 0).toArray());
    expect(R.foldIn(k, 3).toArray()).toEqual(R.foldIn(k, 3).toArray());
    expect(R.foldIn(k, -2).toArray()).toEqual(R.foldIn(k, fx.tensor(-2, { dtype: "int32" })).toArray());
    expect(R.foldIn(k, 2 ** 40).toArray()).not.toEqual(R.foldIn(k, 0).toArray());
  });

  it("split streams are statistically independent (small correlation)", () => {
    const [a, b] = R.split(R.key(11));
    const x = flat(R.normal(a!, [20000], { dtype: "float64" }));
    const y = flat(R.normal(b!, [20000], { dtype: "float64" }));
    expect(x).not.toEqual(y);
    const corr = mean(x.map((v, i) => v * y[i]!)) / Math.sqrt(variance(x) * variance(y));
    expect(Math.abs(corr)).toBeLessThan(0.03); // 4σ for n = 20000
  });
});

describe("determinism", () => {
  it("the same key gives the same numbers; a different key different ones", () => {
    const samplers = [
      (k: fx.Tensor) => R.uniform(k, [50]),
      (k: fx.Tensor) => R.uniform(k, [50], { dtype: "float64" }),
      (k: fx.Tensor) => R.normal(k, [51]),
      (k: fx.Tensor) => R.truncatedNormal(k, [20]),
      (k: fx.Tensor) => R.randint(k, [50], -5, 1000),
      (k: fx.Tensor) => R.permutation(k, 50),
      (k: fx.Tensor) => R.categorical(k, fx.zeros([30, 4])),
    ];
    for (const f of samplers) {
      expect(flat(f(R.key(123)))).toEqual(flat(f(R.key(123))));
      expect(flat(f(R.key(123)))).not.toEqual(flat(f(R.key(124))));
    }
  });

  it("a shorter request is a prefix of a longer one (documented counter scheme)", () => {
    const k = R.key(5);
    expect(flat(R.uniform(k, [3]))).toEqual(flat(R.uniform(k, [6])).slice(0, 3));
  });

  it("every registered backend draws the reference backend's bits", () => {
    const want = u32(R.bits(R.key(99), [16]));
    const before = fx.getBackend().name;
    try {
      for (const name of fx.backendNames()) {
        fx.setBackend(name);
        expect(u32(R.bits(R.key(99), [16]))).toEqual(want);
      }
    } finally {
      fx.setBackend(before);
    }
  });
});

describe("statistics", () => {
  const N = 100_000;

  it("uniform float32: in [0, 1), on the 2^-24 lattice, mean 1/2 and variance 1/12", () => {
    const u = R.uniform(R.key(1), [N]);
    expect(u.dtype).toBe("float32");
    const xs = flat(u);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.every((v) => Number.isInteger(v * 2 ** 24))).toBe(true);
    const lowBitSet = xs.filter((v) => !Number.isInteger(v * 2 ** 23)).length / N;
    expect(Math.abs(lowBitSet - 0.5)).toBeLessThan(0.01); // all 24 bits are used
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(0.0046); // 5σ
    expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(0.0015);
  });

  it("uniform float64 uses 53 bits (two words), mean and variance match", () => {
    const xs = flat(R.uniform(R.key(2), [N], { dtype: "float64" }));
    expect(xs.every((v) => v >= 0 && v < 1 && Number.isInteger(v * 2 ** 53))).toBe(true);
    const beyond32 = xs.filter((v) => !Number.isInteger(v * 2 ** 32)).length;
    expect(beyond32 / N).toBeGreaterThan(0.99);
    expect(Math.abs(mean(xs) - 0.5)).toBeLessThan(0.0046);
    expect(Math.abs(variance(xs) - 1 / 12)).toBeLessThan(0.0015);
  });

  it("uniform with bounds stays in [minval, maxval), numbers or tensors", () => {
    const xs = flat(R.uniform(R.key(3), [20000], { minval: -3, maxval: -2.5 }));
    expect(xs.every((v) => v >= -3 && v < -2.5)).toBe(true);
    expect(Math.abs(mean(xs) + 2.75)).toBeLessThan(0.006);
    const lo = fx.tensor([0, 10, 100]);
    const t = R.uniform(R.key(4), [1000, 3], { minval: lo, maxval: lo.add(1) });
    const cols = fx.transpose(t).toArray() as number[][];
    cols.forEach((c, j) => expect(c.every((v) => v >= [0, 10, 100][j]! && v < [1, 11, 101][j]!)).toBe(true));
    // Rounding to maxval is clamped away even in float32.
    const narrow = flat(R.uniform(R.key(5), [5000], { minval: 1, maxval: 1 + 2 ** -22 }));
    expect(narrow.every((v) => v >= 1 && v < 1 + 2 ** -22)).toBe(true);
  });

  it.each(["float32", "float64"] as const)("normal %s: mean 0, variance 1, two-sided 2σ tail 4.55%%", (dtype) => {
    const z = R.normal(R.key(6), [N], { dtype });
    expect(z.dtype).toBe(dtype);
    const xs = flat(z);
    expect(xs.every(Number.isFinite)).toBe(true);
    expect(Math.abs(mean(xs))).toBeLessThan(0.016);
    expect(Math.abs(variance(xs) - 1)).toBeLessThan(0.025);
    const tail = xs.filter((v) => Math.abs(v) > 2).length / N;
    expect(Math.abs(tail - 0.0455)).toBeLessThan(0.0034);
    const third = mean(xs.map((v) => v ** 3));
    expect(Math.abs(third)).toBeLessThan(0.04); // skewness 0
  });

  it("normal with mean and std (tensor std broadcasts)", () => {
    const xs = flat(R.normal(R.key(7), [N], { mean: 3, std: 0.5, dtype: "float64" }));
    expect(Math.abs(mean(xs) - 3)).toBeLessThan(0.008);
    expect(Math.abs(Math.sqrt(variance(xs)) - 0.5)).toBeLessThan(0.006);
    const t = R.normal(R.key(8), [20000, 2], { std: fx.tensor([1, 10]) });
    const cols = fx.transpose(t).toArray() as number[][];
    expect(Math.sqrt(variance(cols[0]!))).toBeCloseTo(1, 1);
    expect(Math.sqrt(variance(cols[1]!)) / 10).toBeCloseTo(1, 1);
  });

  it("odd sizes, rank 0 and size 0 work for normal", () => {
    expect(R.normal(R.key(0), [3, 3]).shape).toEqual([3, 3]);
    expect(R.normal(R.key(0)).shape).toEqual([]);
    expect(R.normal(R.key(0), [0, 4]).shape).toEqual([0, 4]);
    expect(R.uniform(R.key(0), [0]).shape).toEqual([0]);
  });

  it.each(["float32", "float64"] as const)("truncatedNormal %s stays in [-2, 2] with the truncated variance", (dtype) => {
    const xs = flat(R.truncatedNormal(R.key(9), [N], { dtype }));
    expect(xs.every((v) => v >= -2 && v <= 2)).toBe(true);
    expect(Math.abs(mean(xs))).toBeLessThan(0.014);
    // Var of N(0,1) truncated to [-2, 2] = 1 − 4φ(2)/(2Φ(2) − 1) = 0.77374130355.
    expect(Math.abs(variance(xs) - 0.7737413035499232)).toBeLessThan(0.01);
  });

  it("truncatedNormal with one-sided and asymmetric bounds", () => {
    const xs = flat(R.truncatedNormal(R.key(10), [50000], { lower: 0.5, upper: 1.5, dtype: "float64" }));
    expect(xs.every((v) => v >= 0.5 && v <= 1.5)).toBe(true);
    // E[X | 0.5 ≤ X ≤ 1.5] = (φ(0.5) − φ(1.5)) / (Φ(1.5) − Φ(0.5)) = 0.92064460522.
    expect(Math.abs(mean(xs) - 0.9206446052220353)).toBeLessThan(0.006);
    const pos = flat(R.truncatedNormal(R.key(11), [20000], { lower: 0, upper: Infinity }));
    expect(pos.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
    // Half-normal mean √(2/π).
    expect(Math.abs(mean(pos) - Math.sqrt(2 / Math.PI))).toBeLessThan(0.02);
  });

  it("randint is uniform on [lo, hi) (chi-square, 5 degrees of freedom)", () => {
    const xs = flat(R.randint(R.key(12), [60000], -2, 4));
    const counts = [0, 0, 0, 0, 0, 0];
    for (const v of xs) counts[v + 2]!++;
    expect(counts.reduce((a, b) => a + b)).toBe(60000);
    expect(chiSquare(counts, counts.map(() => 10000))).toBeLessThan(20.5); // p ≈ 0.001
  });

  it("randint over a non-power-of-two span of 7 and the full int32 range", () => {
    const xs = flat(R.randint(R.key(13), [70000], 0, 7));
    const counts = new Array(7).fill(0);
    for (const v of xs) counts[v]++;
    expect(chiSquare(counts, counts.map(() => 10000))).toBeLessThan(22.5); // 6 dof, p ≈ 0.001
    const wide = R.randint(R.key(14), [20000], -(2 ** 31), 2 ** 31);
    expect(wide.dtype).toBe("int32");
    const w = flat(wide);
    expect(Math.abs(mean(w))).toBeLessThan(5e7);
    expect(w.some((v) => v < -(2 ** 30)) && w.some((v) => v > 2 ** 30)).toBe(true);
  });

  it("randint with per-element tensor bounds", () => {
    const lo = fx.tensor([0, 100, -50], { dtype: "int32" });
    const hi = fx.tensor([2, 105, -49], { dtype: "int32" });
    const t = fx.transpose(R.randint(R.key(15), [500, 3], lo, hi)).toArray() as number[][];
    expect(new Set(t[0])).toEqual(new Set([0, 1]));
    expect(new Set(t[1])).toEqual(new Set([100, 101, 102, 103, 104]));
    expect(new Set(t[2])).toEqual(new Set([-50]));
  });

  it("bernoulli frequency matches p; p = 0 and 1 are exact", () => {
    const xs = flat(R.bernoulli(R.key(16), 0.3, [N]));
    expect(R.bernoulli(R.key(16), 0.3, [2]).dtype).toBe("bool");
    expect(Math.abs(mean(xs) - 0.3)).toBeLessThan(0.0073); // 5σ
    expect(flat(R.bernoulli(R.key(17), 0, [1000])).every((v) => v === 0)).toBe(true);
    expect(flat(R.bernoulli(R.key(17), 1, [1000])).every((v) => v === 1)).toBe(true);
    const p = fx.tensor([0.1, 0.9]);
    const cols = fx.transpose(R.bernoulli(R.key(18), p, [20000, 2]).astype("float32")).toArray() as number[][];
    expect(Math.abs(mean(cols[0]!) - 0.1)).toBeLessThan(0.011);
    expect(Math.abs(mean(cols[1]!) - 0.9)).toBeLessThan(0.011);
    expect(R.bernoulli(R.key(0), p).shape).toEqual([2]);
  });

  it("categorical frequencies follow softmax(logits); -Infinity is never drawn", () => {
    const logits = fx.tensor([0, 1, 2, -Infinity]);
    const probs = flat(fx.softmax(logits));
    const draws = flat(R.categorical(R.key(19), logits, -1, [60000]));
    const counts = [0, 0, 0, 0];
    for (const d of draws) counts[d]!++;
    expect(counts[3]).toBe(0);
    expect(chiSquare(counts.slice(0, 3), probs.slice(0, 3).map((p) => p * 60000))).toBeLessThan(13.8); // 2 dof, p ≈ 0.001
  });

  it("categorical over a batch and along a non-last axis", () => {
    const logits = fx.tensor([[10, -10, -10], [-10, -10, 10]]); // nearly one-hot rows
    expect(R.categorical(R.key(20), logits).toArray()).toEqual([0, 2]);
    expect(R.categorical(R.key(20), fx.transpose(logits), 0).toArray()).toEqual([0, 2]);
    const many = R.categorical(R.key(21), logits, -1, [5, 2]);
    expect(many.toArray()).toEqual([[0, 2], [0, 2], [0, 2], [0, 2], [0, 2]]);
  });

  it("permutation is a permutation, uniform over the 6 orders of 3 items", () => {
    const p = flat(R.permutation(R.key(22), 1000));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const perms = R.splitStacked(R.key(23), 6000);
    const orders = fx.vmap((k: fx.Tensor) => R.permutation(k, 3))(perms).toArray() as number[][];
    const counts = new Map<string, number>();
    for (const o of orders) counts.set(o.join(""), (counts.get(o.join("")) ?? 0) + 1);
    expect(counts.size).toBe(6);
    expect(chiSquare([...counts.values()], new Array(6).fill(1000))).toBeLessThan(20.5); // 5 dof
  });

  it("permutation of a tensor shuffles its slices along an axis", () => {
    const x = fx.arange(0, 12).reshape([3, 4]);
    const rows = R.permutation(R.key(24), x).toArray() as number[][];
    expect(rows.map((r) => r.join(",")).sort()).toEqual((x.toArray() as number[][]).map((r) => r.join(",")).sort());
    expect(R.permutation(R.key(24), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]).toArray()).toEqual(rows);
    const cols = R.permutation(R.key(25), x, 1);
    const order = flat(R.permutation(R.key(25), 4));
    expect(cols.toArray()).toEqual(fx.take(x, fx.tensor(order, { dtype: "int32" }), 1).toArray());
  });

  it("choice with and without replacement, weighted and not", () => {
    const noRep = flat(R.choice(R.key(26), 10, [10], { replace: false }));
    expect([...noRep].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const weighted = flat(R.choice(R.key(27), 3, [30000], { p: [0.2, 0.3, 0.5] }));
    const counts = [0, 0, 0];
    for (const v of weighted) counts[v]!++;
    expect(chiSquare(counts, [6000, 9000, 15000])).toBeLessThan(13.8);
    // Weighted without replacement: the heavy item is almost always drawn first.
    const firsts = fx.vmap((k: fx.Tensor) => R.choice(k, 3, [2], { replace: false, p: [1, 1, 100] }))(R.splitStacked(R.key(28), 200));
    const first = (firsts.toArray() as number[][]).map((r) => r[0]);
    expect(first.filter((v) => v === 2).length).toBeGreaterThan(190);
    expect((firsts.toArray() as number[][]).every((r) => r[0] !== r[1])).toBe(true);
    const items = R.choice(R.key(29), fx.tensor([[1, 1], [2, 2], [3, 3]]), [4]);
    expect(items.shape).toEqual([4, 2]);
    expect((items.toArray() as number[][]).every((r) => r[0] === r[1] && [1, 2, 3].includes(r[0]!))).toBe(true);
  });

  it("gumbel has mean γ (Euler–Mascheroni) and variance π²/6", () => {
    const xs = flat(R.gumbel(R.key(30), [N], { dtype: "float64" }));
    expect(Math.abs(mean(xs) - 0.5772156649)).toBeLessThan(0.02);
    expect(Math.abs(variance(xs) - Math.PI ** 2 / 6)).toBeLessThan(0.05);
  });
});

describe("erfinv (used by truncatedNormal)", () => {
  // Reference values from mpmath at 40 digits, evaluated at the exact float inputs.
  const F64: [number, number][] = [
    [0.1, 0.08885599049425769], [0.5, 0.4769362762044699], [-0.9, -1.1630871536766743],
    [0.99, 1.8213863677184494], [0.999, 2.3267537655135246], [0.999999, 3.458910737275499],
    [-0.99999999, -4.052237243268763], [0.9999999999999, 5.261483331372676],
  ];
  const F32: [number, number][] = [
    [0.10000000149011612, 0.08885599182530649], [0.5, 0.4769362762044699], [-0.8999999761581421, -1.1630870719457722],
    [0.9900000095367432, 1.8213866009002777], [0.9990000128746033, 2.3267563267961546],
    [0.9999989867210388, 3.45707472603595], [-0.9999899864196777, -3.123205771165071],
  ];

  it("float64 is accurate to 1e-14 relative", () => {
    const got = flat(erfinv(fx.tensor(F64.map((p) => p[0]), { dtype: "float64" })));
    got.forEach((g, i) => expect(Math.abs(g - F64[i]![1]) / Math.abs(F64[i]![1])).toBeLessThan(1e-14));
  });

  it("float32 is accurate to 1e-6 relative", () => {
    const got = flat(erfinv(fx.tensor(F32.map((p) => p[0]), { dtype: "float32" })));
    got.forEach((g, i) => expect(Math.abs(g - F32[i]![1]) / Math.abs(F32[i]![1])).toBeLessThan(1e-6));
  });
});

describe("transforms", () => {
  const samplers: [string, (k: fx.Tensor) => fx.Tensor][] = [
    ["uniform", (k) => R.uniform(k, [5], { minval: 2, maxval: 3 })],
    ["uniform float64", (k) => R.uniform(k, [5], { dtype: "float64" })],
    ["normal", (k) => R.normal(k, [2, 3])],
    ["normal float64", (k) => R.normal(k, [3], { dtype: "float64", mean: 1, std: 2 })],
    ["truncatedNormal", (k) => R.truncatedNormal(k, [4], { lower: -1, upper: 3 })],
    ["gumbel", (k) => R.gumbel(k, [4])],
    ["bernoulli", (k) => R.bernoulli(k, 0.4, [6])],
    ["randint", (k) => R.randint(k, [6], -3, 9)],
    ["categorical", (k) => R.categorical(k, fx.tensor([[0, 1, 2], [2, 1, 0]]), -1, [3, 2])],
    ["permutation", (k) => R.permutation(k, 7)],
    ["choice", (k) => R.choice(k, 9, [4], { replace: false })],
    ["bits", (k) => R.bits(k, [3])],
    ["split", (k) => R.splitStacked(k, 3)],
    ["foldIn", (k) => R.foldIn(k, 5)],
  ];

  it.each(samplers)("vmap over keys equals a loop: %s", (_name, f) => {
    const keys = R.split(R.key(31), 4);
    const mapped = fx.vmap(f)(stackRows(keys));
    expect(mapped.toArray()).toEqual(stackRows(keys.map(f)).toArray());
  });

  it.each(samplers)("jit equals eager: %s", (_name, f) => {
    const g = fx.jit(f);
    for (const seed of [1, 2]) expect(g(R.key(seed)).toArray()).toEqual(f(R.key(seed)).toArray());
    expect(g.cacheSize).toBe(1);
  });

  it("vmap over keys on a non-leading axis, and nested vmap", () => {
    const keys = R.splitStacked(R.key(32), 3); // [3, 2]
    const f = (k: fx.Tensor) => R.normal(k, [2]);
    const byCols = fx.vmap(f, { inAxes: 1 })(fx.transpose(keys));
    expect(byCols.toArray()).toEqual(fx.vmap(f)(keys).toArray());
    const grid = fx.vmap((k: fx.Tensor) => fx.vmap(f)(R.splitStacked(k, 2)))(keys);
    expect(grid.shape).toEqual([3, 2, 2]);
    expect(grid.toArray()).toEqual(R.split(R.key(32), 3).map((k) => R.split(k, 2).map((s) => f(s).toArray())));
  });

  it("vmap over foldIn data and over a batched sampler parameter", () => {
    const k = R.key(33);
    const steps = fx.arange(0, 5, 1, "int32");
    const mapped = fx.vmap((i: fx.Tensor) => R.foldIn(k, i))(steps);
    expect(mapped.toArray()).toEqual([0, 1, 2, 3, 4].map((i) => R.foldIn(k, i).toArray()));
    const ps = fx.tensor([0, 1, 0, 1]);
    const masks = fx.vmap((p: fx.Tensor) => R.bernoulli(k, p, [3]))(ps);
    expect(masks.toArray()).toEqual([[false, false, false], [true, true, true], [false, false, false], [true, true, true]]);
  });

  it("jit with a traced seed and traced foldIn data", () => {
    const f = fx.jit((seed: fx.Tensor, step: fx.Tensor) => R.normal(R.foldIn(R.key(seed), step), [3]));
    const seed = fx.tensor(4, { dtype: "int32" });
    const step = fx.tensor(9, { dtype: "int32" });
    expect(f(seed, step).toArray()).toEqual(R.normal(R.foldIn(R.key(4), 9), [3]).toArray());
  });

  it("jit(vmap(sampler)) equals the loop", () => {
    const keys = R.split(R.key(34), 3);
    const f = fx.jit(fx.vmap((k: fx.Tensor) => R.permutation(k, 6)));
    expect(f(stackRows(keys)).toArray()).toEqual(keys.map((k) => R.permutation(k, 6).toArray()));
  });

  it("a key carried through scan, split each step, matches the JS loop", () => {
    const step = (k: fx.Tensor, _x: fx.Tensor): [fx.Tensor, fx.Tensor] => {
      const [next, sub] = R.split(k);
      return [next!, R.normal(sub!, [2])];
    };
    const [last, ys] = fx.scan(step, R.key(37), fx.zeros([4])) as [fx.Tensor, fx.Tensor];
    let k = R.key(37);
    const want: number[][] = [];
    for (let i = 0; i < 4; i++) {
      const [next, sub] = R.split(k);
      want.push(R.normal(sub!, [2]).toArray() as number[]);
      k = next!;
    }
    expect(ys.toArray()).toEqual(want);
    expect(last.toArray()).toEqual(k.toArray());
  });

  it("foldIn with fori's traced step counter matches the JS loop", () => {
    const key = R.key(38);
    const total = fx.fori(0, 5, (i: fx.Tensor, acc: fx.Tensor) => acc.add(R.uniform(R.foldIn(key, i), [3], { dtype: "float64" })), fx.zeros([3], "float64"));
    let want = fx.zeros([3], "float64");
    for (let i = 0; i < 5; i++) want = want.add(R.uniform(R.foldIn(key, i), [3], { dtype: "float64" }));
    expect(total.toArray()).toEqual(want.toArray());
  });

  it("random numbers are constants to grad", () => {
    const key = R.key(35);
    const noise = R.normal(key, [3]);
    const g = fx.grad((x: fx.Tensor) => x.mul(R.normal(key, [3])).sum())(fx.ones([3]));
    expect(g.toArray()).toEqual(noise.toArray());
    const gk = fx.grad((x: fx.Tensor) => x.mul(R.uniform(R.foldIn(key, 1), [3])).sum())(fx.ones([3]));
    expect(gk.toArray()).toEqual(R.uniform(R.foldIn(key, 1), [3]).toArray());
  });
});

describe("config.debugNans", () => {
  it("samplers make no NaN or Infinity on the way (every branch stays finite)", () => {
    fx.config.debugNans = true;
    try {
      const k = R.key(36);
      for (const dtype of ["float32", "float64"] as const) {
        R.uniform(k, [1000], { dtype });
        R.normal(k, [1000], { dtype });
        R.truncatedNormal(k, [1000], { dtype, lower: -5, upper: 5 });
        R.gumbel(k, [1000], { dtype });
      }
      R.categorical(k, fx.zeros([10, 5]));
      R.randint(k, [100], -7, 7);
      R.permutation(k, 100);
      R.bernoulli(k, 0.5, [100]);
    } finally {
      fx.config.debugNans = false;
    }
  });
});

describe("argsort primitive (used by permutation)", () => {
  it("sorts stably along an axis with NaN last, and batches under vmap", () => {
    const x = fx.tensor([[3, 1, 2, 1], [NaN, 0, -1, 0]]);
    expect(lax.argsort(x, 1).toArray()).toEqual([[1, 3, 2, 0], [2, 1, 3, 0]]);
    expect(lax.argsort(x, 0).toArray()).toEqual([[0, 1, 1, 1], [1, 0, 0, 0]]);
    expect(fx.vmap((r: fx.Tensor) => lax.argsort(r, 0))(x).toArray()).toEqual([[1, 3, 2, 0], [2, 1, 3, 0]]);
    expect(fx.vmap((c: fx.Tensor) => lax.argsort(c, 0), { inAxes: 1, outAxes: 1 })(x).toArray()).toEqual([[0, 1, 1, 1], [1, 0, 0, 0]]);
  });

  it("rejects a bad axis and bool input with typed errors", () => {
    expect(() => lax.argsort(fx.tensor([1, 2]), 1)).toThrow(fx.IndexError);
    expect(() => lax.argsort(fx.tensor([true, false]), 0)).toThrow(fx.DTypeError);
  });
});

describe("errors", () => {
  const k = R.key(0);
  const cases: [string, () => unknown, new (...a: any[]) => Error, RegExp][] = [
    ["a number as key", () => R.normal(0 as unknown as fx.Tensor, [2]), fx.ValueError, /random\.normal: expected a key made by fx\.random\.key/],
    ["a float key", () => R.uniform(fx.tensor([0, 0]), [2]), fx.DTypeError, /random\.uniform: a key is an int32 tensor of shape \[2\], got float32\[2\]/],
    ["a key of shape [3]", () => R.bits(fx.tensor([1, 2, 3], { dtype: "int32" }), [2]), fx.ShapeError, /random\.bits: a key has shape \[2\], got \[3\]/],
    ["stacked keys without vmap", () => R.normal(R.splitStacked(k, 4), [2]), fx.ShapeError, /got \[4, 2\].*4 stacked keys.*fx\.vmap/],
    ["a non-integer seed", () => R.key(1.5), fx.ValueError, /random\.key: seed must be an integer/],
    ["a seed beyond 2^53", () => R.key(2 ** 60), fx.ValueError, /seed must be an integer with \|seed\| < 2\^53/],
    ["a float tensor seed", () => R.key(fx.tensor(1)), fx.DTypeError, /random\.key: seed must be an integer.*float32/],
    ["a vector seed", () => R.key(fx.tensor([1, 2], { dtype: "int32" })), fx.ShapeError, /seed must be a scalar, got shape \[2\]/],
    ["split into -1 keys", () => R.split(k, -1), fx.ValueError, /random\.split: the number of keys must be a non-negative integer, got -1/],
    ["foldIn with a fraction", () => R.foldIn(k, 0.5), fx.ValueError, /random\.foldIn: data must be an integer/],
    ["an int dtype for uniform", () => R.uniform(k, [2], { dtype: "int32" }), fx.DTypeError, /random\.uniform: dtype must be float32 or float64, got int32/],
    ["a negative dimension", () => R.normal(k, [2, -1]), fx.ValueError, /random\.normal: shape must hold non-negative integers/],
    ["minval above maxval", () => R.uniform(k, [2], { minval: 2, maxval: 1 }), fx.ValueError, /minval \(2\) must not exceed maxval \(1\)/],
    ["a bound that does not broadcast", () => R.uniform(k, [2, 3], { minval: fx.zeros([4]) }), fx.ShapeError, /random\.uniform: minval has shape \[4\], which does not broadcast to the sample shape \[2, 3\]/],
    ["a negative std", () => R.normal(k, [2], { std: -1 }), fx.ValueError, /random\.normal: std must be a finite number ≥ 0, got -1/],
    ["lower ≥ upper", () => R.truncatedNormal(k, [2], { lower: 1, upper: 1 }), fx.ValueError, /lower \(1\) must be less than upper \(1\)/],
    ["p above 1", () => R.bernoulli(k, 1.5, [2]), fx.ValueError, /random\.bernoulli: p must be a probability in \[0, 1\], got 1\.5/],
    ["an empty randint range", () => R.randint(k, [2], 5, 5), fx.ValueError, /random\.randint: the range \[lo, hi\) = \[5, 5\) is empty/],
    ["a fractional randint bound", () => R.randint(k, [2], 0, 2.5), fx.ValueError, /hi must be an integer/],
    ["float randint bounds", () => R.randint(k, [2], fx.tensor(0), fx.tensor(3)), fx.DTypeError, /lo must be an integer tensor, got float32/],
    ["rank-0 logits", () => R.categorical(k, fx.tensor(1)), fx.ShapeError, /random\.categorical: logits must have at least one axis/],
    ["a categorical axis out of range", () => R.categorical(k, fx.zeros([2, 3]), 2), fx.IndexError, /random\.categorical: axis 2 is out of range/],
    ["a categorical shape that does not fit", () => R.categorical(k, fx.zeros([2, 3]), -1, [4, 3]), fx.ShapeError, /shape \[4, 3\] does not fit logits \[2, 3\]/],
    ["a permutation of -2 items", () => R.permutation(k, -2), fx.ValueError, /random\.permutation: n must be an integer/],
    ["too many items without replacement", () => R.choice(k, 3, [4], { replace: false }), fx.ValueError, /cannot draw 4 items without replacement from a population of 3/],
    ["weights of the wrong length", () => R.choice(k, 3, [2], { p: [0.5, 0.5] }), fx.ShapeError, /p must have shape \[3\]/],
  ];

  it.each(cases)("%s", (_name, f, type, message) => {
    expect(f).toThrow(type);
    expect(f).toThrow(message);
  });

  it("random_bits checks its key and salt", () => {
    expect(() => lax.randomBits(fx.tensor([1, 2]), [2], 0)).toThrow(fx.DTypeError);
    expect(() => lax.randomBits(R.key(0), [2], -1)).toThrow(/salt must be an integer in \[0, 2\^32\)/);
  });
});

describe("docs/random.md", () => {
  it("its snippet runs", async () => {
    const md = readFileSync(resolve(__dirname, "../docs/random.md"), "utf8");
    const code = /```ts\n([\s\S]*?)```/.exec(md)![1]!;
    const src = resolve(__dirname, "../src/index.ts");
    const dir = mkdtempSync(join(tmpdir(), "fluxion-doc-"));
    const file = join(dir, "snippet.ts");
    writeFileSync(file, code.replace(/from "fluxion"/, `from ${JSON.stringify(src)}`));
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void logs.push(a);
    try {
      await import(file);
    } finally {
      console.log = log;
    }
    expect(logs[0]![0]).toEqual(logs[0]![1]); // the reused key repeats itself
    expect(logs[1]).toEqual([[3, 2], "float64", [5, 3], [2]]);
    expect([...(logs[2]![0] as number[])].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
