// Transforms: grad through JS control flow, options, Jacobians and Hessians,
// customVjp, checkpoint, stopGradient, jit caching, composition, nesting, escapes.
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { checkGrads } from "./helpers/check-grads.js";
import { assertClose } from "./helpers/compare.js";
import { Nd, fromFn, toTensor } from "./helpers/nd.js";
import { Rng } from "./helpers/random.js";
import { stackAlong } from "./helpers/check-transforms.js";

type T = fx.Tensor;
const f64 = (v: fx.NestedArray) => fx.tensor(v, { dtype: "float64" });
const randn = (shape: number[], seed: number) => toTensor(new Nd(shape, new Rng(seed).normals(shape.reduce((a, b) => a * b, 1))));
const close = (a: T, b: T | Nd, label = "value", tol = { rtol: 1e-10, atol: 1e-12 }) => assertClose(a, b, tol, label);

describe("grad through JS control flow", () => {
  it("branches on x.item()", () => {
    const f = (x: T) => (x.item() > 0 ? x.mul(x) : x.mul(-3));
    expect(fx.grad(f)(f64(2)).item()).toBe(4);
    expect(fx.grad(f)(f64(-1)).item()).toBe(-3);
  });

  it("loops: x^5 by repeated multiplication", () => {
    const f = (x: T) => {
      let y = x;
      for (let i = 0; i < 4; i++) y = y.mul(x);
      return y;
    };
    expect(fx.grad(f)(f64(1.5)).item()).toBeCloseTo(5 * 1.5 ** 4, 12);
    expect(fx.grad(fx.grad(f))(f64(1.5)).item()).toBeCloseTo(20 * 1.5 ** 3, 12);
  });

  it("a data-dependent while loop (Newton's square root) differentiates to 1/(2√a)", () => {
    const sqrtNewton = (a: T) => {
      let y = fx.onesLike(a);
      let steps = 0;
      while (Math.abs(y.mul(y).sub(a).item()) > 1e-14 && steps++ < 100) y = y.add(a.div(y)).mul(0.5);
      return y;
    };
    const a = f64(7);
    expect(sqrtNewton(a).item()).toBeCloseTo(Math.sqrt(7), 12);
    expect(fx.grad(sqrtNewton)(a).item()).toBeCloseTo(1 / (2 * Math.sqrt(7)), 9);
  });

  it("recursion: power(x, n) = x · power(x, n − 1)", () => {
    const power = (x: T, n: number): T => (n === 0 ? fx.onesLike(x) : x.mul(power(x, n - 1)));
    for (const n of [0, 1, 3, 6]) {
      expect(fx.grad((x: T) => power(x, n))(f64(1.3)).item()).toBeCloseTo(n === 0 ? 0 : n * 1.3 ** (n - 1), 12);
    }
  });

  it("finite differences agree through all of these (second order)", () => {
    const f = (x: T) => {
      let y = x;
      for (let i = 0; i < 3; i++) y = x.item() > 0 ? y.sin().mul(x) : y.cos();
      return y;
    };
    checkGrads(f, [f64(0.7)], { label: "control flow" });
    checkGrads(f, [f64(-0.4)], { label: "control flow (other branch)" });
  });
});

describe("grad options", () => {
  const f = (x: T, y: T, z: T) => x.mul(y.square()).add(z.sin().mul(x)).sum();
  const [x, y, z] = [f64([1, 2]), f64([3, -1]), f64([0.5, 0.25])];

  it("argnums picks arguments; an array returns an array", () => {
    close(fx.grad(f, { argnums: 1 })(x, y, z), f64([2 * 1 * 3, 2 * 2 * -1]));
    const [gx, gz] = fx.grad(f, { argnums: [0, 2] })(x, y, z) as T[];
    close(gx!, f64([9 + Math.sin(0.5), 1 + Math.sin(0.25)]));
    close(gz!, f64([Math.cos(0.5), 2 * Math.cos(0.25)]));
  });

  it("hasAux passes aux through as concrete values", () => {
    const g = fx.grad((a: T) => [a.square().sum(), { doubled: a.mul(2) }], { hasAux: true });
    const [grad, aux] = g(x) as [T, { doubled: T }];
    close(grad, f64([2, 4]));
    expect(aux.doubled).toBeInstanceOf(fx.ConcreteTensor);
    close(aux.doubled, f64([2, 4]));
  });

  it("hasAux takes any data in aux: strings, booleans, functions, nested with tensors (as JAX)", () => {
    const tag = () => "metrics";
    const g = fx.grad((a: T) => [a.square().sum(), ["epoch", { ok: true, name: tag, norm: a.sum(), n: 3 }]], { hasAux: true });
    const [grad, aux] = g(x) as [T, [string, { ok: boolean; name: () => string; norm: T; n: number }]];
    close(grad, f64([2, 4]));
    expect(aux[0]).toBe("epoch");
    expect(aux[1].ok).toBe(true);
    expect(aux[1].name).toBe(tag);
    expect(aux[1].n).toBe(3);
    expect(aux[1].norm).toBeInstanceOf(fx.ConcreteTensor);
    expect(aux[1].norm.item()).toBe(3);
  });

  it("valueAndGrad returns the value, and [[value, aux], grads] with hasAux", () => {
    const [v, g] = fx.valueAndGrad(f)(x, y, z);
    close(v, f(x, y, z));
    close(g, fx.grad(f)(x, y, z));
    const [[v2, aux], g2] = fx.valueAndGrad((a: T) => [a.prod(), a.max()], { hasAux: true })(x);
    expect(v2.item()).toBe(2);
    expect(aux.item()).toBe(2);
    close(g2, f64([2, 1]));
  });

  it("differentiates pytrees: the gradient has the argument's structure", () => {
    const params = { w: f64([[1, 2], [3, 4]]), b: [f64([0.5, -0.5])] };
    const loss = (p: typeof params, xin: T) => fx.tanh(fx.matmul(xin, p.w).add(p.b[0]!)).sum();
    const g = fx.grad(loss)(params, f64([1, -1])) as typeof params;
    expect(Object.keys(g)).toEqual(["w", "b"]);
    expect(g.b).toHaveLength(1);
    checkGrads((w: T, b: T) => loss({ w, b: [b] }, f64([1, -1])), [params.w, params.b[0]!], { label: "pytree loss" });
    close(g.w, fx.grad((w: T) => loss({ w, b: params.b }, f64([1, -1])))(params.w));
  });

  it("grad of a non-scalar says so", () => {
    expect(() => fx.grad((a: T) => a.mul(2))(x)).toThrow(fx.TransformError);
    expect(() => fx.grad((a: T) => a.mul(2))(x)).toThrow(/scalar.*\[2\]/);
  });
});

describe("Jacobians and Hessians", () => {
  const f = (x: T) => fx.stack([x.slice(0).mul(x.slice(1)), x.slice(2).sin().add(x.slice(0).square())]);
  const x = f64([0.3, -1.2, 2]);
  const analytic = f64([[-1.2, 0.3, 0], [0.6, 0, Math.cos(2)]]);

  it("jacfwd = jacrev = the analytic Jacobian", () => {
    close(fx.jacfwd(f)(x), analytic);
    close(fx.jacrev(f)(x), analytic);
  });

  it("jacfwd = jacrev for matrix inputs and outputs (shape out.shape + in.shape)", () => {
    const g = (m: T) => fx.matmul(m, m.T).tanh();
    const m = randn([2, 3], 1);
    const jf = fx.jacfwd(g)(m), jr = fx.jacrev(g)(m);
    expect(jf.shape).toEqual([2, 2, 2, 3]);
    close(jf, jr);
  });

  it("hessian of Σx³ is diag(6x)", () => {
    const h = fx.hessian((v: T) => v.pow(3).sum())(x);
    close(h, fromFn([3, 3], ([i, j]) => (i === j ? 6 * [0.3, -1.2, 2][i!]! : 0)));
  });

  it("hessian of xᵀAx is A + Aᵀ", () => {
    const A = f64([[1, 2, 0], [-1, 3, 4], [0.5, 0, -2]]);
    const h = fx.hessian((v: T) => fx.matmul(v, fx.matmul(A, v)))(x);
    close(h, fx.add(A, A.T));
  });

  it("hessian of logsumexp is diag(s) − ssᵀ", () => {
    const s = fx.softmax(x).toArray() as number[];
    close(fx.hessian((v: T) => fx.logsumexp(v))(x), fromFn([3, 3], ([i, j]) => (i === j ? s[i!]! : 0) - s[i!]! * s[j!]!));
  });

  it("jacfwd, jacrev and hessian work over pytrees (output structure of input structure)", () => {
    const p = { a: f64([1, 2]), b: f64(3) };
    const g = (q: typeof p) => [q.a.mul(q.b), q.a.sum().mul(q.b.square())];
    const jf = fx.jacfwd(g)(p), jr = fx.jacrev(g)(p);
    for (const j of [jf, jr]) {
      close(j[0].a, f64([[3, 0], [0, 3]]));
      close(j[0].b, f64([1, 2]));
      close(j[1].a, f64([9, 9]));
      close(j[1].b, f64(18));
    }
    const h = fx.hessian((q: typeof p) => q.a.square().sum().mul(q.b))(p);
    close(h.a.a, f64([[6, 0], [0, 6]]));
    close(h.a.b, f64([2, 4]));
    close(h.b.a, f64([2, 4]));
    close(h.b.b, f64(0));
  });

  it("hessian with argnums differentiates the chosen argument", () => {
    const h = fx.hessian((a: T, b: T) => a.mul(b.square()).sum(), { argnums: 1 })(f64([2, 3]), f64([1, 1]));
    close(h, f64([[4, 0], [0, 6]]));
  });
});

describe("customVjp, checkpoint, stopGradient", () => {
  it("customVjp's bwd is called by grad and its rule is used", () => {
    let calls = 0;
    const f = fx.customVjp((x: T) => x.sin(), {
      fwd: (x: T) => [x.sin(), x],
      bwd: (res: T, ct: T) => {
        calls++;
        return [ct.mul(res).mul(42)];
      },
    });
    expect(fx.grad((x: T) => f(x).sum())(f64([1, 2])).toArray()).toEqual([42, 84]);
    expect(calls).toBe(1);
    // Under an outer jit the rule still applies; forward mode differentiates f itself.
    expect(fx.jit(fx.grad((x: T) => f(x).sum()))(f64([1, 2])).toArray()).toEqual([42, 84]);
    expect(fx.jvp(f, [f64(0.5)], [f64(1)])[1].item()).toBeCloseTo(Math.cos(0.5), 14);
    expect(f(f64(0.5)).item()).toBeCloseTo(Math.sin(0.5), 14);
  });

  it("customVjp makes a stable log(1 + eˣ) gradient with several arguments and a null cotangent", () => {
    const scaledLog1pExp = fx.customVjp((x: T, k: T) => fx.softplus(x).mul(k), {
      fwd: (x: T, k: T) => [fx.softplus(x).mul(k), [x, k]],
      bwd: ([x, k]: T[], ct: T) => [ct.mul(fx.sigmoid(x!)).mul(k!), null],
    });
    const [gx, gk] = fx.grad((x: T, k: T) => scaledLog1pExp(x, k).sum(), { argnums: [0, 1] })(f64([1000, 0, -1000]), f64(2)) as T[];
    expect(gx!.toArray()).toEqual([2, 1, 0]);
    expect(gk!.item()).toBe(0);
  });

  it("checkpoint gives the same values and gradients (first and second order)", () => {
    const f = (x: T, w: T) => fx.tanh(fx.matmul(w, x)).square().sum();
    const cf = fx.checkpoint(f);
    const x = randn([3], 2), w = randn([2, 3], 3);
    close(cf(x, w), f(x, w));
    const [g1, g2] = fx.grad(cf, { argnums: [0, 1] })(x, w) as T[];
    const [h1, h2] = fx.grad(f, { argnums: [0, 1] })(x, w) as T[];
    close(g1!, h1!);
    close(g2!, h2!);
    close(fx.hessian((v: T) => cf(v, w))(x), fx.hessian((v: T) => f(v, w))(x));
    checkGrads(cf, [x, w], { label: "checkpoint" });
  });

  it("stopGradient blocks derivatives in both modes (on tensors and pytrees)", () => {
    expect(fx.grad((x: T) => x.mul(fx.stopGradient(x)))(f64(3)).item()).toBe(3);
    expect(fx.jvp((x: T) => fx.stopGradient(x).square(), [f64(3)], [f64(1)])[1].item()).toBe(0);
    const tree = fx.stopGradient({ a: f64(2), b: [f64(5)] });
    expect(tree.b[0]!.item()).toBe(5);
    expect(fx.grad((x: T) => { const s = fx.stopGradient({ v: x.square() }); return s.v.add(x); })(f64(4)).item()).toBe(1);
    // Second order: d²/dx² of x²·sg(x) is 2·x.
    expect(fx.grad(fx.grad((x: T) => x.square().mul(fx.stopGradient(x))))(f64(1.5)).item()).toBe(3);
  });
});

describe("jit", () => {
  it("traces once per signature and reports cacheSize", () => {
    let traces = 0;
    const f = fx.jit((x: T, y: T) => {
      traces++;
      return x.mul(y).add(1);
    });
    for (let i = 0; i < 3; i++) close(f(f64([i, 2]), f64([3, 4])), f64([3 * i + 1, 9]));
    expect(traces).toBe(1);
    expect(f.cacheSize).toBe(1);
    f(f64([1, 2, 3]), f64([1, 1, 1]));
    expect(traces).toBe(2);
    f(fx.tensor([1, 2]), fx.tensor([3, 4]));
    expect(traces).toBe(3);
    expect(f.cacheSize).toBe(3);
    f(f64([5, 6]), f64([7, 8]));
    expect(traces).toBe(3);
  });

  it("staticArgnums: a new static value retraces, the same one does not", () => {
    let traces = 0;
    const f = fx.jit((x: T, n: number) => {
      traces++;
      let y = x;
      for (let i = 0; i < n; i++) y = y.mul(x);
      return y;
    }, { staticArgnums: [1] });
    expect(f(f64(2), 2).item()).toBe(8);
    expect(f(f64(3), 2).item()).toBe(27);
    expect(traces).toBe(1);
    expect(f(f64(2), 3).item()).toBe(16);
    expect(traces).toBe(2);
    expect(f.cacheSize).toBe(2);
  });

  it("reading a traced value inside jit is a ConcretizationError", () => {
    expect(() => fx.jit((x: T) => (x.item() > 0 ? x : x.neg()))(f64(1))).toThrow(fx.ConcretizationError);
  });

  it("jit composes inside other transforms: vmap(jit), jvp(jit), jit(jit), and closures over outer tracers", () => {
    const f = (x: T, w: T) => fx.tanh(fx.matmul(w, x)).sum();
    const xs = randn([4, 3], 6), w = randn([2, 3], 7);
    close(fx.vmap(fx.jit(f), { inAxes: [0, null] })(xs, w), fx.vmap(f, { inAxes: [0, null] })(xs, w));
    const t = randn([3], 8);
    close(fx.jvp((x: T) => fx.jit(f)(x, w), [xs.slice(0)], [t])[1], fx.jvp((x: T) => f(x, w), [xs.slice(0)], [t])[1]);
    close(fx.jit(fx.jit(f))(xs.slice(1), w), f(xs.slice(1), w));
    // The inner jit captures the outer grad's tracer x as a constant: the gradient must flow through it.
    const g = fx.grad((x: T) => fx.jit((y: T) => y.mul(x).sum())(x.square()));
    close(g(f64([1, 2])), f64([3, 12]));
    const outs = fx.jit((x: T) => ({ s: x.sum(), parts: [x.mul(2), x.max()] }))(f64([1, 3]));
    close(outs.parts[0]!, f64([2, 6]));
    expect(outs.s.item()).toBe(4);
  });

  it("jit(grad) and grad(jit) equal grad", () => {
    const f = (x: T) => fx.logsumexp(x.mul(x.sin()));
    const x = randn([4], 5);
    close(fx.jit(fx.grad(f))(x), fx.grad(f)(x));
    close(fx.grad(fx.jit(f))(x), fx.grad(f)(x));
    close(fx.grad(fx.grad((v: T) => fx.jit(f)(v.mul(2))))(f64(0.3)), fx.grad(fx.grad((v: T) => f(v.mul(2))))(f64(0.3)));
  });
});

describe("composition: jit(vmap(grad(grad(f)))) from the JAX workshop", () => {
  // Per example x is a scalar; A is shared (inAxes [0, null]).
  const f = (x: T, A: T) => fx.sum(fx.tanh(fx.matmul(A, fx.stack([x, x.square(), x.sin()]))));
  const A = randn([4, 3], 11);
  const xs = randn([5], 12);

  it("equals a loop of grad(grad(f)) and finite differences of grad", () => {
    const d2 = fx.grad(fx.grad(f));
    const vd2 = fx.jit(fx.vmap(d2, { inAxes: [0, null] }));
    const got = vd2(xs, A);
    const loop = stackAlong((xs.toArray() as number[]).map((x) => d2(f64(x), A)), 0, { shape: [], dtype: "float64" });
    close(got, loop);
    const h = 1e-5;
    const fd = (xs.toArray() as number[]).map((x) => (fx.grad(f)(f64(x + h), A).item() - fx.grad(f)(f64(x - h), A).item()) / (2 * h));
    close(got, f64(fd), "finite differences", { rtol: 1e-6, atol: 1e-7 });
    expect(vd2.cacheSize).toBe(1);
    close(vd2(xs, A), got);
    expect(vd2.cacheSize).toBe(1);
  });

  it("with the workshop's f(x, A) = sum(A @ x) and vector rows x: jit(vmap(hessian)) equals a loop (zero)", () => {
    const g = (x: T, M: T) => fx.sum(fx.matmul(M, x));
    const rows = randn([5, 3], 13);
    const vh = fx.jit(fx.vmap(fx.hessian(g), { inAxes: [0, null] }));
    const out = vh(rows, A);
    expect(out.shape).toEqual([5, 3, 3]);
    close(out, fx.zeros([5, 3, 3], "float64"));
    const nonlinear = (x: T, M: T) => fx.sum(fx.tanh(fx.matmul(M, x)));
    const vhn = fx.jit(fx.vmap(fx.hessian(nonlinear), { inAxes: [0, null] }))(rows, A);
    const loop = stackAlong([0, 1, 2, 3, 4].map((b) => fx.hessian(nonlinear)(rows.slice(b), A)), 0, { shape: [3, 3], dtype: "float64" });
    close(vhn, loop);
  });

  it("grad(grad(f)) with a vector x is an error naming the shape, as in JAX", () => {
    expect(() => fx.grad(fx.grad((x: T, M: T) => fx.sum(fx.matmul(M, x))))(f64([1, 2, 3]), A)).toThrow(fx.TransformError);
  });
});

describe("nested differentiation", () => {
  it("perturbation confusion: d/dx (x · d/dy (x·y)) = 2x", () => {
    const inner = (x: T) => fx.grad((y: T) => x.mul(y))(f64(7));
    expect(fx.grad((x: T) => x.mul(inner(x)))(f64(3)).item()).toBe(6);
    // Siskind & Pearlmutter: d/dx (x · d/dy (x + y)|_{y=1})|_{x=1} = 1 (a confused tape gives 2).
    expect(fx.grad((x: T) => x.mul(fx.grad((y: T) => x.add(y))(f64(1))))(f64(1)).item()).toBe(1);
  });

  it("perturbation confusion in forward mode and mixed modes", () => {
    const dInner = (x: T) => fx.jvp((y: T) => x.mul(y), [f64(7)], [f64(1)])[1] as T;
    expect(fx.jvp((x: T) => x.mul(dInner(x)), [f64(3)], [f64(1)])[1].item()).toBe(6);
    expect(fx.grad((x: T) => x.mul(dInner(x)))(f64(3)).item()).toBe(6);
    const gInner = (x: T) => fx.grad((y: T) => x.mul(y))(f64(7));
    expect(fx.jvp((x: T) => x.mul(gInner(x)), [f64(3)], [f64(1)])[1].item()).toBe(6);
    expect(fx.jvp((x: T) => x.mul(fx.jvp((y: T) => x.add(y), [f64(1)], [f64(1)])[1] as T), [f64(1)], [f64(1)])[1].item()).toBe(1);
    // vmap inside grad closing over the grad's tracer.
    const h = fx.grad((x: T) => fx.vmap((v: T) => v.mul(x))(f64([1, 2, 3])).sum());
    expect(h(f64(5)).item()).toBe(6);
  });

  it("mixed nesting: jvp of grad, grad of jvp, vmap of jvp", () => {
    const f = (x: T) => x.sin().mul(x.square());
    const d2 = (x: number) => -Math.sin(x) * x * x + 4 * x * Math.cos(x) + 2 * Math.sin(x);
    expect(fx.jvp(fx.grad(f), [f64(0.8)], [f64(1)])[1].item()).toBeCloseTo(d2(0.8), 12);
    expect(fx.grad((x: T) => fx.jvp(f, [x], [f64(1)])[1])(f64(0.8)).item()).toBeCloseTo(d2(0.8), 12);
    const cols = fx.vmap((t: T) => fx.jvp(f, [f64(0.8)], [t])[1])(f64([1, 2, -1]));
    close(cols, f64([1, 2, -1].map((t) => t * (Math.cos(0.8) * 0.64 + 1.6 * Math.sin(0.8)))));
  });

  it("third derivative through three nested grads", () => {
    expect(fx.grad(fx.grad(fx.grad((x: T) => x.pow(4))))(f64(1.5)).item()).toBeCloseTo(24 * 1.5, 12);
  });
});

describe("vmap details", () => {
  it("batched indices: take with batched indices and/or batched operand equals a loop", () => {
    const x = randn([3, 5], 21);
    const idx = fx.tensor(Int32Array.from([0, 4, -1, 2, 2, 1]), { shape: [3, 2] });
    const both = fx.vmap((r: T, i: T) => fx.take(r, i))(x, idx);
    const onlyIdx = fx.vmap((i: T) => fx.take(x, i, 1), { inAxes: [0] })(idx);
    for (let b = 0; b < 3; b++) {
      close(both.slice(b), fx.take(x.slice(b), idx.slice(b)));
      close(onlyIdx.slice(b), fx.take(x, idx.slice(b), 1));
    }
  });

  it("batched scatterAdd indices and traced at().set indices equal a loop (repeated indices too)", () => {
    const x = randn([2, 4], 22);
    const u = randn([2, 3], 23);
    const idx = fx.tensor(Int32Array.from([1, 1, 3, 0, 2, 0]), { shape: [2, 3] });
    const added = fx.vmap((r: T, i: T, v: T) => fx.scatterAdd(r, i, v))(x, idx, u);
    const set = fx.vmap((r: T, i: T, v: T) => r.at(i).set(v))(x, idx, u);
    const jitSet = fx.jit((r: T, i: T, v: T) => r.at(i).set(v));
    for (let b = 0; b < 2; b++) {
      close(added.slice(b), fx.scatterAdd(x.slice(b), idx.slice(b), u.slice(b)));
      close(set.slice(b), x.slice(b).at(idx.slice(b)).set(u.slice(b)));
      close(jitSet(x.slice(b), idx.slice(b), u.slice(b)), x.slice(b).at(idx.slice(b)).set(u.slice(b)));
    }
    // Last write wins for the repeated index 1 (example 0) and 0 (example 1).
    expect((set.slice(0).toArray() as number[])[1]).toBe((u.slice(0).toArray() as number[])[1]);
    expect((set.slice(1).toArray() as number[])[0]).toBe((u.slice(1).toArray() as number[])[2]);
  });

  it("nested vmap, outAxes and negative inAxes", () => {
    const x = randn([2, 3, 4], 24);
    const f = (v: T) => v.square().sum();
    close(fx.vmap(fx.vmap(f))(x.sum(-1)), x.sum(-1).square());
    const outer = fx.vmap((m: T) => fx.vmap((v: T) => v.mul(2), { inAxes: -1, outAxes: 1 })(m))(x);
    close(outer, x.mul(2));
    const moved = fx.vmap((v: T) => v.cumsum(0), { inAxes: 1, outAxes: -1 })(x);
    expect(moved.shape).toEqual([2, 4, 3]);
    close(moved, fx.moveaxis(fx.cumsum(x, 0), 1, -1));
  });

  it("unmapped outputs are broadcast over the batch", () => {
    const out = fx.vmap((_: T) => f64([1, 2]))(f64([5, 6, 7])) as T;
    close(out, f64([[1, 2], [1, 2], [1, 2]]));
  });
});

describe("escaped tracers", () => {
  it("using a tracer after its transform returned throws a TransformError", () => {
    let leaked: T | null = null;
    fx.grad((x: T) => {
      leaked = x;
      return x.square();
    })(f64(2));
    expect(() => leaked!.mul(3)).toThrow(fx.TransformError);
    expect(() => fx.grad((y: T) => y.mul(leaked!))(f64(1))).toThrow(fx.TransformError);
    let leakedJit: T | null = null;
    fx.jit((x: T) => {
      leakedJit = x;
      return x;
    })(f64(1));
    expect(() => fx.add(leakedJit!, 1)).toThrow(fx.TransformError);
    let leakedVmap: T | null = null;
    fx.vmap((x: T) => {
      leakedVmap = x;
      return x;
    })(f64([1, 2]));
    expect(() => fx.exp(leakedVmap!)).toThrow(fx.TransformError);
  });
});

describe("casts inside transforms", () => {
  it("grad through astype keeps the input dtype and differentiates the cast", () => {
    const g = fx.grad((x: T) => x.astype("float32").square().sum())(f64([1.5, -2]));
    expect(g.dtype).toBe("float64");
    close(g, f64([3, -4]));
    const [y, t] = fx.jvp((x: T) => x.astype("float64").mul(2), [fx.tensor([1, 2])], [fx.tensor([1, 1])]);
    expect(y.dtype).toBe("float64");
    expect(t.dtype).toBe("float64");
    close(t, f64([2, 2]));
    expect(fx.grad((x: T) => x.astype("int32").astype("float64").sum())(f64([1.5])).toArray()).toEqual([0]);
  });
});
