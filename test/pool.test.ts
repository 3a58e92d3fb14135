import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import * as lax from "../src/primitives/lax.js";
import { finiteDiffGrad, naivePool2d, randomData, rng, toTensor, worstError } from "./conv-reference.js";

interface PoolCase {
  shape: [number, number, number, number];
  k: [number, number];
  stride: [number, number];
  pad: [number, number];
}

const poolCases: PoolCase[] = [
  { shape: [2, 3, 6, 6], k: [2, 2], stride: [2, 2], pad: [0, 0] },
  { shape: [1, 2, 7, 5], k: [3, 3], stride: [2, 2], pad: [1, 1] },
  { shape: [3, 1, 5, 8], k: [3, 2], stride: [1, 3], pad: [1, 0] },
  { shape: [1, 1, 1, 9], k: [1, 4], stride: [1, 1], pad: [0, 2] },
  { shape: [2, 2, 4, 4], k: [4, 4], stride: [1, 1], pad: [0, 0] },
];

const describeCase = (c: PoolCase) => `x ${c.shape.join("×")}, window ${c.k}, stride ${c.stride}, padding ${c.pad}`;

describe("pooling matches direct loops", () => {
  for (const dtype of ["float64", "float32"] as const) {
    poolCases.forEach((c, i) => {
      it(`${describeCase(c)} (${dtype})`, () => {
        const x = randomData(rng(i + 1), c.shape, dtype);
        const xt = toTensor(x, c.shape, dtype);
        const tol = dtype === "float64" ? 1e-12 : 1e-6;
        const o = { stride: c.stride, padding: c.pad };
        const mx = fx.maxPool2d(xt, c.k, o);
        const wantMax = naivePool2d({ data: x, shape: c.shape }, c.k, c.stride, c.pad, "max");
        expect(mx.shape).toEqual(wantMax.shape);
        expect(mx.dtype).toBe(dtype);
        expect(worstError(mx.data(), wantMax.data, tol, tol)).toBeLessThanOrEqual(1);
        for (const countIncludePad of [true, false]) {
          const av = fx.avgPool2d(xt, c.k, { ...o, countIncludePad });
          const wantAvg = naivePool2d({ data: x, shape: c.shape }, c.k, c.stride, c.pad, "avg", countIncludePad);
          expect(av.shape).toEqual(wantAvg.shape);
          expect(worstError(av.data(), wantAvg.data, tol, tol)).toBeLessThanOrEqual(1);
        }
      });
    });
  }

  it("1-D pooling is 2-D pooling with a height of 1", () => {
    const x = toTensor(randomData(rng(3), [2, 3, 9]), [2, 3, 9], "float64");
    const x2 = fx.reshape(x, [2, 3, 1, 9]);
    expect(fx.maxPool1d(x, 3, { stride: 2, padding: 1 }).data()).toEqual(fx.maxPool2d(x2, [1, 3], { stride: [1, 2], padding: [0, 1] }).data());
    expect(fx.avgPool1d(x, 2).data()).toEqual(fx.avgPool2d(x2, [1, 2]).data());
  });

  it("unbatched input, default stride = window, integer input", () => {
    const x = fx.reshape(fx.arange(16), [1, 4, 4]);
    expect(fx.maxPool2d(x, 2).toArray()).toEqual([[[5, 7], [13, 15]]]);
    expect(fx.maxPool2d(x, 2).dtype).toBe("int32");
    expect(fx.avgPool2d(x, 2).toArray()).toEqual([[[2.5, 4.5], [10.5, 12.5]]]);
  });

  it("a NaN in a window makes that window's maximum NaN", () => {
    const x = fx.tensor([[[[1, NaN, 2, 3]]]], { dtype: "float64" });
    expect(fx.maxPool2d(x, [1, 2]).toArray()).toEqual([[[[NaN, 3]]]]);
  });

  it("errors", () => {
    expect(() => fx.maxPool2d(fx.ones([1, 1, 3, 3]), 4)).toThrow(/maxPool2d: window 4 is larger than axis 2/);
    expect(() => fx.maxPool2d(fx.ones([1, 1, 3, 3]), 2, { padding: 2 })).toThrow(/more than half the window/);
    expect(() => fx.avgPool2d(fx.ones([3, 3]), 2)).toThrow(/avgPool2d: expected an input/);
    expect(() => fx.maxPool2d(fx.ones([1, 1, 3, 3]), [2, 0])).toThrow(fx.ValueError);
  });
});

describe("pooling derivatives", () => {
  poolCases.forEach((c, i) => {
    it(`max and average pooling gradients match finite differences: ${describeCase(c)}`, () => {
      const r = rng(40 + i);
      const x = randomData(r, c.shape);
      const o = { stride: c.stride, padding: c.pad };
      const outShape = fx.maxPool2d(fx.zeros(c.shape, "float64"), c.k, o).shape;
      const R = toTensor(randomData(r, outShape), outShape, "float64");
      const f = (t: fx.Tensor) => fx.add(fx.sum(fx.mul(fx.maxPool2d(t, c.k, o), R)), fx.sum(fx.mul(fx.avgPool2d(t, c.k, { ...o, countIncludePad: false }), R)));
      const [fd] = finiteDiffGrad(([a]) => f(toTensor(a!, c.shape, "float64")).item(), [x]);
      const xt = toTensor(x, c.shape, "float64");
      expect(worstError(fx.grad(f)(xt).data(), fd!, 1e-5, 1e-3)).toBeLessThanOrEqual(1);
      const tx = randomData(r, c.shape);
      const [, d] = fx.jvp(f, [xt], [toTensor(tx, c.shape, "float64")]) as [fx.Tensor, fx.Tensor];
      expect(worstError([d.item()], [fd!.reduce((s, g, j) => s + g * tx[j]!, 0)], 1e-5, 1e-3)).toBeLessThanOrEqual(1);
    });
  });

  it("ties send the whole gradient to the first maximum of each window", () => {
    const x = fx.zeros([1, 1, 2, 3], "float64");
    // Windows of 2×2 with stride 1 overlap on the middle column; each picks its top-left zero.
    expect(fx.grad((t: fx.Tensor) => fx.sum(fx.maxPool2d(t, 2, { stride: 1 })))(x).toArray()).toEqual([[[[1, 1, 0], [0, 0, 0]]]]);
    const y = fx.tensor([[[[1, 3], [3, 2]]]], { dtype: "float64" });
    expect(fx.grad((t: fx.Tensor) => fx.sum(fx.maxPool2d(t, 2)))(y).toArray()).toEqual([[[[0, 1], [0, 0]]]]);
    const [, tan] = fx.jvp((t: fx.Tensor) => fx.maxPool2d(t, 2), [y], [fx.tensor([[[[10, 20], [30, 40]]]], { dtype: "float64" })]) as fx.Tensor[];
    expect(tan!.toArray()).toEqual([[[[20]]]]);
  });

  it("the window gather and scatter are each other's transpose, and both are linear", () => {
    const r = rng(71);
    const shape = [2, 3, 7, 6];
    const window = [1, 1, 3, 2], strides = [1, 1, 2, 2];
    const x = toTensor(randomData(r, shape), shape, "float64");
    const t = toTensor(randomData(r, shape), shape, "float64");
    const g = lax.selectAndGatherAdd(t, x, window, strides);
    const s = toTensor(randomData(r, g.shape), g.shape, "float64");
    const sc = lax.selectAndScatterAdd(s, x, window, strides);
    expect(sc.shape).toEqual(shape);
    // <gather(t), s> = <t, scatter(s)>
    expect(fx.sum(fx.mul(g, s)).item()).toBeCloseTo(fx.sum(fx.mul(t, sc)).item(), 12);
    // gather(x) is the max itself.
    expect(lax.selectAndGatherAdd(x, x, window, strides).data()).toEqual(lax.reduceWindowMax(x, window, strides).data());
    // Overlapping windows (stride 2 < window 3) may add twice at one position: the scatter's total is s's total.
    expect(fx.sum(sc).item()).toBeCloseTo(fx.sum(s).item(), 12);
    expect(() => lax.selectAndScatterAdd(t, x, window, strides)).toThrow(/maxPool gradient: cotangent \[2, 3, 7, 6\] float64 must have the pooled shape \[2, 3, 3, 3\]/);
  });

  it("jacfwd equals jacrev (gather and scatter batched against an unbatched input)", () => {
    const shape = [1, 2, 4, 5];
    const x = toTensor(randomData(rng(81), shape), shape, "float64");
    const f = (t: fx.Tensor) => fx.maxPool2d(t, 2, { stride: 1 });
    expect(fx.jacfwd(f)(x).data()).toEqual(fx.jacrev(f)(x).data());
    const h = (t: fx.Tensor) => fx.sum(fx.square(f(fx.sin(t))));
    const H1 = fx.jacfwd(fx.grad(h))(x), H2 = fx.jacrev(fx.grad(h))(x);
    expect(worstError(H1.data(), H2.data(), 1e-12, 1e-12)).toBeLessThanOrEqual(1);
  });

  it("a window holding a NaN sends its gradient to its first NaN", () => {
    const x = fx.tensor([[[[1, NaN, NaN, 3]]]], { dtype: "float64" });
    expect(fx.grad((t: fx.Tensor) => fx.sum(fx.maxPool2d(t, [1, 4])))(x).toArray()).toEqual([[[[0, 1, 0, 0]]]]);
  });

  it("second order: the gradient of a function of the max-pool gradient", () => {
    const shape = [1, 2, 5, 5];
    const r = rng(61);
    const x = randomData(r, shape);
    const V = toTensor(randomData(r, shape), shape, "float64");
    const f = (t: fx.Tensor) => fx.sum(fx.square(fx.maxPool2d(fx.sin(t), 3, { stride: 2, padding: 1 })));
    const h = (t: fx.Tensor) => fx.sum(fx.mul(fx.grad(f)(t), V));
    const [fd] = finiteDiffGrad(([a]) => h(toTensor(a!, shape, "float64")).item(), [x]);
    expect(worstError(fx.grad(h)(toTensor(x, shape, "float64")).data(), fd!, 1e-5, 1e-3)).toBeLessThanOrEqual(1);
  });
});

describe("pooling under vmap and jit", () => {
  const r = rng(5);
  const xs = toTensor(randomData(r, [3, 2, 2, 5, 5]), [3, 2, 2, 5, 5], "float64");
  it("vmap equals a loop", () => {
    const f = (x: fx.Tensor) => fx.add(fx.maxPool2d(x, 3, { stride: 2, padding: 1 }), fx.avgPool2d(x, 3, { stride: 2, padding: 1 }));
    const want = fx.stack([0, 1, 2].map((b) => f(fx.slice(xs, b))));
    expect(fx.vmap(f)(xs).data()).toEqual(want.data());
    const g = fx.grad((x: fx.Tensor) => fx.sum(fx.square(f(x))));
    const wantG = fx.stack([0, 1, 2].map((b) => g(fx.slice(xs, b)) as fx.Tensor));
    expect(worstError(fx.vmap(g)(xs).data(), wantG.data(), 1e-12, 1e-12)).toBeLessThanOrEqual(1);
  });
  it("jit equals eager", () => {
    const f = (x: fx.Tensor) => fx.sum(fx.square(fx.maxPool2d(x, 2)));
    const x = fx.slice(xs, 0);
    expect(fx.jit(f)(x).item()).toBe(f(x).item());
    expect(fx.jit(fx.grad(f))(x).data()).toEqual((fx.grad(f)(x) as fx.Tensor).data());
  });
});
