import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const f64 = (a: fx.NestedArray) => fx.tensor(a, { dtype: "float64" });
const close = (a: fx.Tensor, b: fx.Tensor, tol = 1e-10) => expect(a.sub(b).abs().max().item()).toBeLessThan(tol);

/** Central finite-difference gradient of a scalar function of one float64 tensor. */
function fdGrad(f: (x: fx.Tensor) => fx.Tensor, x: fx.Tensor, h = 1e-6): fx.Tensor {
  const base = x.data() as Float64Array;
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const p = base.slice(), m = base.slice();
    p[i]! += h;
    m[i]! -= h;
    out[i] = (f(fx.tensor(p, { shape: [...x.shape] })).item() - f(fx.tensor(m, { shape: [...x.shape] })).item()) / (2 * h);
  }
  return fx.tensor(out, { shape: [...x.shape] });
}

const W = f64([[0.5, -0.2, 0.1], [0.1, 0.3, -0.4], [0.2, 0.0, 0.25]]);
const XS = f64([[1, 2, 0], [0.5, -1, 0.3], [0.3, 0.2, -0.7], [0.1, 0.1, 0.1]]);

/** A small RNN: h ← tanh(W h + x); loss = Σ_t Σ h_t². */
const rnnScan = (w: fx.Tensor, xs: fx.Tensor) =>
  fx.scan((h: fx.Tensor, x: fx.Tensor) => {
    const n = fx.tanh(fx.matmul(w, h).add(x));
    return [n, n.square().sum()];
  }, fx.zeros([3], "float64"), xs)[1].sum();

const rnnLoop = (w: fx.Tensor, xs: fx.Tensor) => {
  let h = fx.zeros([3], "float64");
  let s = f64(0);
  for (let t = 0; t < xs.shape[0]!; t++) {
    h = fx.tanh(fx.matmul(w, h).add(xs.slice(t)));
    s = s.add(h.square().sum());
  }
  return s;
};

describe("scan", () => {
  it("computes cumulative sums and stacks ys (also in reverse)", () => {
    const [total, partial] = fx.scan((c: fx.Tensor, x: fx.Tensor) => [c.add(x), c.add(x)], f64(0), f64([1, 2, 3]));
    expect(total.item()).toBe(6);
    expect(partial.toArray()).toEqual([1, 3, 6]);
    const [, rev] = fx.scan((c: fx.Tensor, x: fx.Tensor) => [c.add(x), c.add(x)], f64(0), f64([1, 2, 3]), { reverse: true });
    expect(rev.toArray()).toEqual([6, 5, 3]);
  });

  it("handles pytree carries, no xs (length), and length 0", () => {
    const [c] = fx.scan((s: { a: fx.Tensor; b: fx.Tensor }) => [{ a: s.a.add(1), b: s.b.mul(2) }, null], { a: f64(0), b: f64(1) }, null, { length: 4 });
    expect(c.a.item()).toBe(4);
    expect(c.b.item()).toBe(16);
    const [c0, ys0] = fx.scan((s: fx.Tensor, x: fx.Tensor) => [s.add(x.sum()), x.mul(2)], f64(5), fx.zeros([0, 2], "float64"));
    expect(c0.item()).toBe(5);
    expect(ys0.shape).toEqual([0, 2]);
  });

  it("gradient equals the unrolled loop's and finite differences", () => {
    expect(rnnScan(W, XS).item()).toBeCloseTo(rnnLoop(W, XS).item(), 12);
    const [gw, gx] = fx.grad(rnnScan, { argnums: [0, 1] })(W, XS) as fx.Tensor[];
    const [lw, lx] = fx.grad(rnnLoop, { argnums: [0, 1] })(W, XS) as fx.Tensor[];
    close(gw!, lw!);
    close(gx!, lx!);
    close(gw!, fdGrad((w) => rnnScan(w, XS), W), 1e-6);
  });

  it("second order: Hessian through scan equals the unrolled loop's", () => {
    const flat = W.reshape([9]);
    const hs = fx.hessian((w: fx.Tensor) => rnnScan(w.reshape([3, 3]), XS))(flat);
    const hl = fx.hessian((w: fx.Tensor) => rnnLoop(w.reshape([3, 3]), XS))(flat);
    expect(hs.shape).toEqual([9, 9]);
    close(hs, hl, 1e-9);
  });

  it("forward mode matches reverse mode", () => {
    const t = fx.tensor(Float64Array.from({ length: 9 }, (_, i) => Math.sin(i)), { shape: [3, 3] });
    const [, tout] = fx.jvp((w: fx.Tensor) => rnnScan(w, XS), [W], [t]);
    const g = fx.grad(rnnScan)(W, XS);
    expect((tout as fx.Tensor).item()).toBeCloseTo(g.mul(t).sum().item(), 10);
  });

  it("jit traces it once: one scan equation, not an unrolled loop", () => {
    const j = fx.jit(rnnScan);
    expect(j(W, XS).item()).toBeCloseTo(rnnLoop(W, XS).item(), 12);
    const prog = j.trace(W, XS);
    expect(prog.eqns.filter((e) => e.prim.name === "scan").length).toBe(1);
    expect(prog.eqns.filter((e) => e.prim.name === "tanh").length).toBe(0);
    const longer = fx.concatenate([XS, XS, XS]);
    expect(j.trace(W, longer).eqns.length).toBe(prog.eqns.length);
    const jg = fx.jit(fx.grad(rnnScan));
    close(jg(W, XS), fx.grad(rnnLoop)(W, XS));
  });

  it("vmap over sequences equals a loop (values and gradients)", () => {
    const batch = fx.stack([XS, XS.mul(2), XS.neg()]);
    const v = fx.vmap(rnnScan, { inAxes: [null, 0] })(W, batch);
    const loop = fx.stack([0, 1, 2].map((b) => rnnLoop(W, batch.slice(b))));
    close(v, loop);
    const vg = fx.vmap(fx.grad(rnnScan), { inAxes: [null, 0] })(W, batch);
    const lg = fx.stack([0, 1, 2].map((b) => fx.grad(rnnLoop)(W, batch.slice(b))));
    close(vg, lg);
  });

  it("rejects a carry that changes shape and mismatched lengths", () => {
    expect(() => fx.scan((c: fx.Tensor, x: fx.Tensor) => [c.reshape([1]), x], f64(0), f64([1, 2]))).toThrow(fx.ShapeError);
    expect(() => fx.scan((c: fx.Tensor, x: { a: fx.Tensor; b: fx.Tensor }) => [c, x.a], f64(0), { a: f64([1, 2]), b: f64([1, 2, 3]) })).toThrow(/length/);
  });
});

describe("cond", () => {
  const f = (x: fx.Tensor) => fx.cond(x.sum().greater(0), (v: fx.Tensor) => v.square().sum(), (v: fx.Tensor) => v.neg().sum(), x);
  it("picks a branch eagerly, under jit, grad, jvp and vmap", () => {
    expect(f(f64([1, 2])).item()).toBe(5);
    expect(f(f64([-1, -2])).item()).toBe(3);
    expect(fx.grad(f)(f64([1, 2])).toArray()).toEqual([2, 4]);
    expect(fx.grad(f)(f64([-1, -2])).toArray()).toEqual([-1, -1]);
    const j = fx.jit(f);
    expect(j(f64([1, 2])).item()).toBe(5);
    expect(j(f64([-1, -2])).item()).toBe(3);
    expect(j.cacheSize).toBe(1);
    expect(fx.jit(fx.grad(f))(f64([-1, -2])).toArray()).toEqual([-1, -1]);
    expect((fx.jvp(f, [f64([1, 2])], [f64([1, 1])])[1] as fx.Tensor).item()).toBe(6);
    expect(fx.vmap(f)(f64([[1, 2], [-1, -2]])).toArray()).toEqual([5, 3]);
    expect(fx.vmap(fx.grad(f))(f64([[1, 2], [-1, -2]])).toArray()).toEqual([[2, 4], [-1, -1]]);
  });
  it("requires matching branch outputs and a bool scalar predicate", () => {
    expect(() => fx.cond(f64(1).greater(0), (v: fx.Tensor) => v, (v: fx.Tensor) => v.reshape([1]), f64(1))).toThrow(fx.ShapeError);
    expect(() => fx.cond(f64([1, 2]).greater(0), (v: fx.Tensor) => v, (v: fx.Tensor) => v, f64(1))).toThrow(/scalar/);
  });
});

describe("whileLoop and fori", () => {
  it("loops until the predicate fails; forward mode and vmap work", () => {
    expect(fx.whileLoop((x: fx.Tensor) => x.less(100), (x: fx.Tensor) => x.mul(2), fx.tensor(1)).item()).toBe(128);
    const sq = (x: fx.Tensor) => fx.whileLoop((v: fx.Tensor) => v.less(10), (v: fx.Tensor) => v.mul(v), x);
    const [y, t] = fx.jvp(sq, [f64(2)], [f64(1)]) as fx.Tensor[];
    expect(y!.item()).toBe(16);
    expect(t!.item()).toBe(32); // d/dx x⁴ at 2
    expect(fx.vmap((x: fx.Tensor) => fx.whileLoop((v: fx.Tensor) => v.less(10), (v: fx.Tensor) => v.mul(3), x))(f64([1, 2, 20])).toArray()).toEqual([27, 18, 20]);
    expect(fx.jit(sq)(f64(3)).item()).toBe(81);
  });
  it("reverse mode through whileLoop is refused with a clear error", () => {
    expect(() => fx.grad((x: fx.Tensor) => fx.whileLoop((v: fx.Tensor) => v.less(10), (v: fx.Tensor) => v.mul(3), x))(f64(1))).toThrow(fx.TransformError);
  });
  it("fori with number bounds is differentiable; tensor bounds use a while loop", () => {
    const pow3 = (x: fx.Tensor) => fx.fori(0, 3, (_i: fx.Tensor, c: fx.Tensor) => c.mul(x), f64(1));
    expect(fx.grad(pow3)(f64(2)).item()).toBe(12);
    expect(fx.fori(0, 5, (i: fx.Tensor, c: fx.Tensor) => c.add(i.astype("float64")), f64(0)).item()).toBe(10);
    expect(fx.fori(fx.tensor(1, { dtype: "int32" }), fx.tensor(4, { dtype: "int32" }), (i: fx.Tensor, c: fx.Tensor) => c.add(i.astype("float64")), f64(0)).item()).toBe(6);
  });
});
