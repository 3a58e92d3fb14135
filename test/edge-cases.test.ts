// Size-0 and rank-0 tensors through ops and every transform; empty reductions.
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { assertClose } from "./helpers/compare.js";

type T = fx.Tensor;
const f64 = (v: fx.NestedArray) => fx.tensor(v, { dtype: "float64" });
const exact = { rtol: 0, atol: 0 };

describe("reductions of empty tensors", () => {
  it.each(["float32", "float64", "int32"] as fx.DType[])("sum of empty = 0 and prod of empty = 1 (%s), keeping the dtype", (dtype) => {
    const e = fx.zeros([0], dtype);
    expect(fx.sum(e).item()).toBe(0);
    expect(fx.prod(e).item()).toBe(1);
    expect(fx.sum(e).dtype).toBe(dtype);
    expect(fx.prod(e).dtype).toBe(dtype);
    expect(fx.sum(fx.zeros([2, 0], dtype), 1).toArray()).toEqual([0, 0]);
    expect(fx.prod(fx.zeros([2, 0], dtype), -1, true).toArray()).toEqual([[1], [1]]);
    expect(fx.sum(fx.zeros([2, 0], dtype), 0).shape).toEqual([0]);
    expect(fx.cumsum(fx.zeros([0], dtype)).shape).toEqual([0]);
  });

  it("bool sums of empty count to int32 0; all of empty is true, any is false", () => {
    const e = fx.zeros([0], "bool");
    expect(fx.sum(e).dtype).toBe("int32");
    expect(fx.sum(e).item()).toBe(0);
    expect(fx.all(e).item()).toBe(1);
    expect(fx.any(e).item()).toBe(0);
  });

  it("mean, var and std of empty are NaN; logsumexp of empty is −∞", () => {
    expect(fx.mean(fx.zeros([0])).item()).toBeNaN();
    expect(fx.var(fx.zeros([0])).item()).toBeNaN();
    expect(fx.std(fx.zeros([0])).item()).toBeNaN();
    expect(fx.logsumexp(fx.zeros([0])).item()).toBe(-Infinity);
    expect(fx.logsumexp(fx.zeros([2, 0]), 1).toArray()).toEqual([-Infinity, -Infinity]);
  });

  it.each([
    ["max", (x: T) => fx.max(x)], ["min", (x: T) => fx.min(x, 1)], ["argmax", (x: T) => fx.argmax(x)], ["argmin", (x: T) => fx.argmin(x, 1)],
  ] as const)("%s of empty throws a ValueError naming the shape", (name, f) => {
    const e = fx.zeros([3, 0]);
    expect(() => f(e)).toThrow(fx.ValueError);
    expect(() => f(e)).toThrow(new RegExp(`${name}.*\\[3, 0\\]`));
  });

  it("max of empty also throws under jit, grad and vmap", () => {
    expect(() => fx.jit((x: T) => fx.max(x))(fx.zeros([0]))).toThrow(fx.ValueError);
    expect(() => fx.grad((x: T) => fx.max(x))(fx.zeros([0], "float64"))).toThrow(fx.ValueError);
    expect(() => fx.vmap((x: T) => fx.max(x))(fx.zeros([2, 0]))).toThrow(fx.ValueError);
  });

  it("max over a non-empty axis of a size-0 tensor is fine", () => {
    expect(fx.max(fx.zeros([0, 3]), 1).shape).toEqual([0]);
    expect(fx.argmax(fx.zeros([0, 3]), 1).shape).toEqual([0]);
  });
});

describe("size-0 tensors through transforms", () => {
  const empty = fx.zeros([0, 3], "float64");
  const f = (x: T) => fx.logsumexp(fx.matmul(x, f64([[1], [2], [3]])).sin(), 0).sum();

  it("grad, jvp and vjp give empty cotangents and tangents of the right shape", () => {
    expect(f(empty).item()).toBe(-Infinity);
    const g = fx.grad((x: T) => x.exp().sum())(empty);
    expect(g.shape).toEqual([0, 3]);
    expect(g.dtype).toBe("float64");
    const [y, t] = fx.jvp((x: T) => x.square(), [empty], [empty]);
    expect(y.shape).toEqual([0, 3]);
    expect(t.shape).toEqual([0, 3]);
    const [, pb] = fx.vjp((x: T) => fx.matmul(x, fx.ones([3, 2], "float64")), empty);
    expect((pb(fx.zeros([0, 2], "float64"))[0] as T).shape).toEqual([0, 3]);
  });

  it("jit traces and runs programs over empty inputs", () => {
    const jf = fx.jit((x: T) => [x.exp().sum(0), fx.matmul(x.T, x)]);
    const [s, m] = jf(empty) as T[];
    assertClose(s!, f64([0, 0, 0]), exact, "sum");
    assertClose(m!, fx.zeros([3, 3], "float64"), exact, "matmul over K = 0");
  });

  it("vmap over a batch of size 0 gives size-0 outputs", () => {
    expect((fx.vmap((x: T) => x.sum())(empty) as T).shape).toEqual([0]);
    expect((fx.vmap((x: T) => fx.matmul(f64([[1, 2, 3]]), x))(empty) as T).shape).toEqual([0, 1]);
    expect((fx.vmap((x: T) => x.exp().cumsum(0))(empty) as T).shape).toEqual([0, 3]);
    expect((fx.vmap(fx.grad((x: T) => x.square().sum()))(empty) as T).shape).toEqual([0, 3]);
  });

  it("vmap over rows of width 0", () => {
    const rows = fx.zeros([4, 0], "float64");
    assertClose(fx.vmap((x: T) => x.sum())(rows) as T, fx.zeros([4], "float64"), exact, "row sums");
    assertClose(fx.vmap((x: T) => x.prod())(rows) as T, fx.ones([4], "float64"), exact, "row products");
    expect((fx.vmap(fx.grad((x: T) => x.sum()))(rows) as T).shape).toEqual([4, 0]);
  });
});

describe("rank-0 tensors through transforms", () => {
  const x = f64(0.7);
  const f = (v: T) => v.sin().mul(v.exp()).add(fx.logsumexp(fx.stack([v, v.square()])));

  it("grad, jvp, hessian, jacfwd, jacrev of a scalar function of a scalar", () => {
    const g = fx.grad(f)(x);
    expect(g.shape).toEqual([]);
    const [, t] = fx.jvp(f, [x], [f64(1)]);
    assertClose(t, g, { rtol: 1e-14, atol: 0 }, "jvp = grad");
    assertClose(fx.jacfwd(f)(x), g, { rtol: 1e-14, atol: 0 }, "jacfwd");
    assertClose(fx.jacrev(f)(x), g, { rtol: 1e-14, atol: 0 }, "jacrev");
    expect(fx.hessian(f)(x).shape).toEqual([]);
    assertClose(fx.hessian(f)(x), fx.grad(fx.grad(f))(x), { rtol: 1e-12, atol: 0 }, "hessian");
  });

  it("vmap maps a vector to rank-0 examples and back; jit takes rank-0 inputs", () => {
    const xs = f64([0.1, -0.5, 2]);
    const got = fx.vmap(f)(xs) as T;
    [0.1, -0.5, 2].forEach((v, i) => expect((got.toArray() as number[])[i]).toBeCloseTo(f(f64(v)).item(), 14));
    assertClose(fx.jit(f)(x), f(x), { rtol: 1e-15, atol: 0 }, "jit");
    assertClose(fx.jit(fx.vmap(fx.grad(f)))(xs), fx.vmap(fx.grad(f))(xs), { rtol: 1e-15, atol: 0 }, "jit(vmap(grad))");
  });

  it("vmap of a rank-0 argument is a ShapeError", () => {
    expect(() => fx.vmap(f)(x)).toThrow(fx.ShapeError);
  });

  it("rank-0 broadcasts against size-0 and rank-0 reductions are identities", () => {
    expect(fx.add(x, fx.zeros([0], "float64")).shape).toEqual([0]);
    expect(fx.sum(x).item()).toBe(0.7);
    expect(fx.max(x, [], true).item()).toBe(0.7);
    expect(fx.argmax(x).item()).toBe(0);
    expect(fx.reshape(x, [1, 1, 1]).shape).toEqual([1, 1, 1]);
  });
});

describe("derivative conventions at special points", () => {
  const d = (f: (x: T) => T, at: number) => fx.grad(f)(f64(at)).item();

  it("d/dx x⁰ = 0 everywhere (also at x = 0), x¹ and x² at 0 are 1 and 0, second derivative of x² at 0 is 2", () => {
    expect(d((x) => x.pow(0), 0)).toBe(0);
    expect(d((x) => x.pow(0), 2)).toBe(0);
    expect(d((x) => x.pow(1), 0)).toBe(1);
    expect(d((x) => x.pow(2), 0)).toBe(0);
    expect(fx.grad(fx.grad((x: T) => x.pow(2)))(f64(0)).item()).toBe(2);
    // With a tensor exponent containing 0 (polynomial features at x = 0).
    const g = fx.grad((x: T) => fx.pow(x, f64([0, 1, 2, 3])).sum())(f64(0));
    expect(g.item()).toBe(1);
  });

  it("d/dy 0^y = 0 and d/dy x^y = log(x)·x^y for x > 0", () => {
    expect(fx.grad((y: T) => fx.pow(f64(0), y), { argnums: 0 })(f64(2)).item()).toBe(0);
    expect(fx.grad((y: T) => fx.pow(f64(3), y))(f64(2)).item()).toBeCloseTo(Math.log(3) * 9, 12);
  });

  it("relu'(0) = 0, maximum ties split the gradient in half, max-reduction ties share it", () => {
    expect(d((x) => fx.relu(x), 0)).toBe(0);
    const [gx, gy] = fx.grad((x: T, y: T) => fx.maximum(x, y), { argnums: [0, 1] })(f64(1), f64(1)) as T[];
    expect([gx!.item(), gy!.item()]).toEqual([0.5, 0.5]);
    expect(fx.grad((x: T) => x.max())(f64([2, 5, 5, 1])).toArray()).toEqual([0, 0.5, 0.5, 0]);
  });

  it("erf matches tabulated values in the tails (the kernel switches method at |x| = 3)", () => {
    const table: [number, number][] = [[2, 0.9953222650189527], [3, 0.9999779095030014], [-3.5, -0.9999992569016276], [4, 0.9999999845827421], [5, 0.9999999999984626]];
    for (const [x, want] of table) expect(Math.abs(fx.erf(f64(x)).item() - want)).toBeLessThan(1e-15);
  });
});
