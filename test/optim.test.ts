import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat } from "./support/numeric.js";

const { optim } = fx;
type Opt = fx.optim.GradientTransformation<any>;
const f64 = (xs: number[]) => fx.tensor(new Float64Array(xs));

/** Runs `steps` jitted optimization steps of `loss` from `start`; returns the final point. */
function minimize(loss: (p: { x: fx.Tensor }) => fx.Tensor, opt: Opt, start: number[], steps: number): number[] {
  let params = { x: f64(start) };
  let state = opt.init(params);
  const step = fx.jit((p: { x: fx.Tensor }, s: unknown) => {
    const g = fx.grad(loss)(p);
    const [u, next] = opt.update(g, s, p);
    return [optim.applyUpdates(p, u), next];
  });
  for (let i = 0; i < steps; i++) [params, state] = step(params, state) as [{ x: fx.Tensor }, unknown];
  return flat(params.x.toArray());
}

const A = [1, 4, 10], C = [1, -2, 3];
const quadratic = (p: { x: fx.Tensor }) => fx.sum(fx.mul(f64(A), fx.square(fx.sub(p.x, f64(C))))).mul(0.5);
const rosenbrock = (p: { x: fx.Tensor }) => {
  const a = p.x.slice(0), b = p.x.slice(1);
  return fx.square(fx.sub(1, a)).add(fx.square(b.sub(a.square())).mul(100));
};

const decay = (init: number, steps: number) => optim.schedules.cosineDecay({ init, decaySteps: steps, alpha: 0.01 });

// [name, optimizer for the quadratic, its steps, optimizer for Rosenbrock (from the origin), its steps, distance reached]
const optimizers: [string, Opt, number, Opt, number, number][] = [
  ["sgd", optim.sgd(0.08), 200, optim.sgd(1.5e-3), 3000, 0.15],
  ["sgd + momentum", optim.sgd(0.02, { momentum: 0.9 }), 300, optim.sgd(1e-3, { momentum: 0.9 }), 1000, 0.02],
  ["sgd + nesterov", optim.sgd(0.02, { momentum: 0.9, nesterov: true }), 300, optim.sgd(1e-3, { momentum: 0.9, nesterov: true }), 1000, 0.02],
  ["adam", optim.adam(0.05), 400, optim.adam(0.05), 600, 0.02],
  ["adamw", optim.adamw(0.05, { weightDecay: 1e-5 }), 400, optim.adamw(0.05, { weightDecay: 1e-5 }), 600, 0.02],
  ["rmsprop", optim.rmsprop(decay(0.05, 400)), 400, optim.rmsprop(1e-2, { momentum: 0.9 }), 500, 0.02],
  ["adagrad", optim.adagrad(1), 300, optim.adagrad(1), 2000, 0.15],
];

describe("every optimizer converges", () => {
  for (const [name, quadOpt, quadSteps, rosenOpt, rosenSteps, tol] of optimizers) {
    it(`${name} on a quadratic and on Rosenbrock`, () => {
      expectAllClose(minimize(quadratic, quadOpt, [0, 0, 0], quadSteps), C, 0, 2e-3);
      const [a, b] = minimize(rosenbrock, rosenOpt, [0, 0], rosenSteps);
      expect(Math.hypot(a! - 1, b! - 1)).toBeLessThan(tol);
    });
  }
});

// A fixed example: θ₀ and a nonlinear gradient g(θ) = a·θ + cos θ, five steps, in float64.
const theta0 = [0.5, -1.5, 2.0];
const gradAt = (th: number[]) => th.map((v, i) => A[i]! * v + Math.cos(v));

/** Runs the fx optimizer for `steps` steps on the fixed example, recording θ after each. */
function fxTrajectory(opt: Opt, steps = 5): number[][] {
  let params = { w: f64(theta0) };
  let state = opt.init(params);
  const out: number[][] = [];
  for (let k = 0; k < steps; k++) {
    const g = { w: f64(gradAt(flat(params.w.toArray()))) };
    const [u, next] = opt.update(g, state, params);
    params = optim.applyUpdates(params, u);
    state = next;
    out.push(flat(params.w.toArray()));
  }
  return out;
}

/** The same steps with a per-coordinate update rule written from the paper, in plain JS. */
function jsTrajectory(rule: (g: number, th: number, i: number, t: number, mem: Record<string, number[]>) => number, steps = 5): number[][] {
  let th = [...theta0];
  const mem: Record<string, number[]> = {};
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    const g = gradAt(th);
    th = th.map((v, i) => v + rule(g[i]!, v, i, t, mem));
    out.push([...th]);
  }
  return out;
}
const slot = (mem: Record<string, number[]>, name: string, init = 0) => (mem[name] ??= [init, init, init]);

describe("optimizers follow the published update equations step by step", () => {
  const check = (opt: Opt, rule: Parameters<typeof jsTrajectory>[0]) => {
    const got = fxTrajectory(opt), want = jsTrajectory(rule);
    got.forEach((th, k) => expectAllClose(th, want[k]!, 1e-12, 1e-14));
  };

  it("sgd: θ ← θ − lr·g", () => check(optim.sgd(0.1), (g) => -0.1 * g));

  it("sgd momentum: b ← μb + g; θ ← θ − lr·b", () =>
    check(optim.sgd(0.05, { momentum: 0.9 }), (g, _th, i, _t, mem) => {
      const b = slot(mem, "b");
      b[i] = 0.9 * b[i]! + g;
      return -0.05 * b[i]!;
    }));

  it("sgd nesterov: b ← μb + g; θ ← θ − lr·(g + μb)", () =>
    check(optim.sgd(0.05, { momentum: 0.9, nesterov: true }), (g, _th, i, _t, mem) => {
      const b = slot(mem, "b");
      b[i] = 0.9 * b[i]! + g;
      return -0.05 * (g + 0.9 * b[i]!);
    }));

  const adamRule = (lr: number, b1: number, b2: number, eps: number, wd = 0) =>
    (g: number, th: number, i: number, t: number, mem: Record<string, number[]>) => {
      const m = slot(mem, "m"), v = slot(mem, "v");
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      const mHat = m[i]! / (1 - b1 ** t), vHat = v[i]! / (1 - b2 ** t);
      return -lr * (mHat / (Math.sqrt(vHat) + eps) + wd * th);
    };

  it("adam: bias-corrected moments, θ ← θ − lr·m̂/(√v̂ + ε)", () =>
    check(optim.adam(0.1, { b1: 0.8, b2: 0.95, eps: 1e-3 }), adamRule(0.1, 0.8, 0.95, 1e-3)));

  it("adamw: θ ← θ − lr·(m̂/(√v̂ + ε) + λθ)", () =>
    check(optim.adamw(0.1, { weightDecay: 0.3 }), adamRule(0.1, 0.9, 0.999, 1e-8, 0.3)));

  it("rmsprop: v ← ρv + (1 − ρ)g²; θ ← θ − lr·g/(√v + ε)", () =>
    check(optim.rmsprop(0.01, { decay: 0.7, eps: 1e-4 }), (g, _th, i, _t, mem) => {
      const v = slot(mem, "v");
      v[i] = 0.7 * v[i]! + 0.3 * g * g;
      return (-0.01 * g) / (Math.sqrt(v[i]!) + 1e-4);
    }));

  it("rmsprop centered with momentum (PyTorch's formulation)", () =>
    check(optim.rmsprop(0.01, { decay: 0.9, eps: 1e-6, centered: true, momentum: 0.5 }), (g, _th, i, _t, mem) => {
      const v = slot(mem, "v"), ga = slot(mem, "gAvg"), b = slot(mem, "b");
      v[i] = 0.9 * v[i]! + 0.1 * g * g;
      ga[i] = 0.9 * ga[i]! + 0.1 * g;
      b[i] = 0.5 * b[i]! + g / (Math.sqrt(v[i]! - ga[i]! ** 2) + 1e-6);
      return -0.01 * b[i]!;
    }));

  it("adagrad: G ← G + g² (G₀ = 0.1); θ ← θ − lr·g/(√G + ε)", () =>
    check(optim.adagrad(0.3), (g, _th, i, _t, mem) => {
      const G = slot(mem, "G", 0.1);
      G[i] = G[i]! + g * g;
      return (-0.3 * g) / (Math.sqrt(G[i]!) + 1e-7);
    }));

  it("adam with a schedule uses lr(step) with the step counted from 0", () => {
    const lr = optim.schedules.exponentialDecay({ init: 0.1, decayRate: 0.5, transitionSteps: 2 });
    const base = adamRule(1, 0.9, 0.999, 1e-8);
    check(optim.adam(lr), (g, th, i, t, mem) => 0.1 * 0.5 ** ((t - 1) / 2) * base(g, th, i, t, mem));
  });
});

describe("transformations compose", () => {
  const params = { a: f64([1, -2]), b: [f64([0.5]), f64([3, 4, -1])] };
  const grads = { a: f64([3, 0]), b: [f64([-4]), f64([0, 12, 0])] }; // global norm 13

  it("clipByGlobalNorm rescales only when the norm exceeds the limit", () => {
    expect(optim.globalNorm(grads).item()).toBeCloseTo(13, 12);
    const [clipped] = optim.clipByGlobalNorm(2.6).update(grads, {});
    expectAllClose(fx.tree.leaves(clipped).flatMap((l) => flat((l as fx.Tensor).toArray())), [0.6, 0, -0.8, 0, 2.4, 0], 1e-12);
    const [same] = optim.clipByGlobalNorm(20).update(grads, {});
    expectAllClose(fx.tree.leaves(same).flatMap((l) => flat((l as fx.Tensor).toArray())), [3, 0, -4, 0, 12, 0], 0);
    const [zero] = optim.clipByGlobalNorm(1).update({ z: fx.zeros([2], "float64") }, {});
    expect(flat(zero.z.toArray())).toEqual([0, 0]);
  });

  it("chain(clip, addDecayedWeights, scaleByLearningRate) equals the formula", () => {
    const opt = optim.chain(optim.clipByGlobalNorm(6.5), optim.addDecayedWeights(0.1), optim.scaleByLearningRate(0.5));
    const state = opt.init(params);
    const [u] = opt.update(grads, state, params);
    const p = [1, -2, 0.5, 3, 4, -1], g = [3, 0, -4, 0, 12, 0];
    const want = g.map((v, i) => -0.5 * (v * 0.5 + 0.1 * p[i]!));
    expectAllClose(fx.tree.leaves(u).flatMap((l) => flat((l as fx.Tensor).toArray())), want, 1e-12);
    const next = optim.applyUpdates(params, u);
    expectAllClose(fx.tree.leaves(next).flatMap((l) => flat((l as fx.Tensor).toArray())), p.map((v, i) => v + want[i]!), 1e-12);
  });

  it("addDecayedWeights respects a mask and needs params", () => {
    const [u] = optim.addDecayedWeights(1, { mask: (p) => p.size > 1 }).update(grads, {}, params);
    expect(flat((u.b[0] as fx.Tensor).toArray())).toEqual([-4]);
    expect(flat((u.a as fx.Tensor).toArray())).toEqual([4, -2]);
    expect(() => optim.addDecayedWeights(1).update(grads, {})).toThrow(/needs the params/);
  });

  it("states are pytrees of tensors that survive flatten/unflatten and jit", () => {
    const opt = optim.chain(optim.clipByGlobalNorm(1), optim.adamw(optim.schedules.cosineDecay({ init: 0.1, decaySteps: 10 })));
    let state = opt.init(params);
    const [leaves, def] = fx.tree.flatten(state);
    expect(leaves.every((l) => l instanceof fx.Tensor)).toBe(true);
    state = fx.tree.unflatten(def, leaves) as typeof state;
    const eagerStep = (p: typeof params, s: unknown[]) => {
      const [u, next] = opt.update(grads, s, p);
      return [optim.applyUpdates(p, u), next] as const;
    };
    const jitStep = fx.jit(eagerStep);
    let [pe, se] = [params as typeof params, state];
    let [pj, sj] = [params as typeof params, state];
    for (let k = 0; k < 3; k++) {
      [pe, se] = eagerStep(pe, se);
      [pj, sj] = jitStep(pj, sj) as unknown as [typeof params, unknown[]];
    }
    expectAllClose(fx.tree.leaves(pj).flatMap((l) => flat((l as fx.Tensor).toArray())), fx.tree.leaves(pe).flatMap((l) => flat((l as fx.Tensor).toArray())), 1e-14);
    const count = fx.tree.leaves(sj).find((l) => (l as fx.Tensor).dtype === "int32") as fx.Tensor;
    expect(count.item()).toBe(3);
  });

  it("null leaves (a partitioned model) pass through untouched", () => {
    const p = { w: f64([1, 2]), frozen: null };
    const opt = optim.adam(0.1);
    const [u] = opt.update({ w: f64([1, 1]), frozen: null }, opt.init(p), p);
    const next = optim.applyUpdates(p, u);
    expect(next.frozen).toBeNull();
    expectAllClose(flat(next.w.toArray()), [0.9, 1.9], 1e-9);
  });

  it("float32 params stay float32 with float64 schedules", () => {
    const p = { w: fx.tensor([1, 2]) };
    const opt = optim.sgd(optim.schedules.constant(0.5));
    const [u] = opt.update({ w: fx.tensor([1, 1]) }, opt.init(p), p);
    const next = optim.applyUpdates(p, u);
    expect(next.w.dtype).toBe("float32");
    expect(flat(next.w.toArray())).toEqual([0.5, 1.5]);
  });

  it("rejects bad settings and mismatched trees with clear errors", () => {
    expect(() => optim.sgd(0.1, { nesterov: true })).toThrow(/nesterov needs a momentum/);
    expect(() => optim.adam(0.1, { b1: 1 })).toThrow(/b1 must be in \[0, 1\)/);
    expect(() => optim.clipByGlobalNorm(0)).toThrow(fx.ValueError);
    expect(() => optim.chain(optim.scale(2)).update(grads, {} as never)).toThrow(/state array of 1/);
    expect(() => optim.applyUpdates({ w: f64([1, 2]) }, { w: f64([1, 2, 3]) })).toThrow(/shape \[3\].*\[2\]/);
  });
});

describe("schedules", () => {
  const { schedules } = optim;
  const at = (s: fx.optim.Schedule, step: number) => {
    const v = s(step);
    return typeof v === "number" ? v : v.item();
  };
  it("constant, linear and exponentialDecay", () => {
    expect(at(schedules.constant(0.3), 99)).toBe(0.3);
    const lin = schedules.linear({ init: 1, end: 0.2, transitionSteps: 8, transitionBegin: 2 });
    expect([0, 2, 6, 10, 50].map((s) => at(lin, s))).toEqual([1, 1, 0.6, 0.2, 0.2].map((v) => expect.closeTo(v, 12)));
    const exp = schedules.exponentialDecay({ init: 2, decayRate: 0.3, transitionSteps: 4 });
    for (const s of [0, 1, 5, 17]) expect(at(exp, s)).toBeCloseTo(2 * 0.3 ** (s / 4), 12);
    const stair = schedules.exponentialDecay({ init: 2, decayRate: 0.3, transitionSteps: 4, staircase: true, end: 0.1 });
    expect([3, 4, 9, 40].map((s) => at(stair, s))).toEqual([2, 0.6, 0.18, 0.1].map((v) => expect.closeTo(v, 12)));
  });
  it("cosineDecay and warmupCosineDecay", () => {
    const cd = schedules.cosineDecay({ init: 0.5, decaySteps: 100, alpha: 0.1 });
    for (const s of [0, 30, 100, 150]) {
      const c = 0.5 * (1 + Math.cos((Math.PI * Math.min(s, 100)) / 100));
      expect(at(cd, s)).toBeCloseTo(0.5 * (0.9 * c + 0.1), 12);
    }
    const wc = schedules.warmupCosineDecay({ init: 0.01, peak: 1, warmupSteps: 10, decaySteps: 110, end: 0.1 });
    expect(at(wc, 0)).toBeCloseTo(0.01, 12);
    expect(at(wc, 5)).toBeCloseTo(0.505, 12);
    expect(at(wc, 10)).toBeCloseTo(1, 12);
    expect(at(wc, 60)).toBeCloseTo(0.1 + 0.9 * 0.5, 12);
    expect(at(wc, 110)).toBeCloseTo(0.1, 12);
    expect(at(wc, 500)).toBeCloseTo(0.1, 12);
    expect(() => schedules.warmupCosineDecay({ init: 0, peak: 1, warmupSteps: 10, decaySteps: 10 })).toThrow(/counts the warmup/);
  });
  it("piecewiseConstant multiplies the scales of the boundaries reached", () => {
    const pc = schedules.piecewiseConstant(1, { 10: 0.5, 20: 0.1 });
    expect([0, 9, 10, 19, 20, 100].map((s) => at(pc, s))).toEqual([1, 1, 0.5, 0.5, 0.05, 0.05].map((v) => expect.closeTo(v, 12)));
  });
  it("schedules take the optimizer's int32 count tensor", () => {
    const v = schedules.cosineDecay({ init: 1, decaySteps: 4 })(fx.tensor(2, { dtype: "int32" }));
    expect(typeof v === "number" ? v : v.item()).toBeCloseTo(0.5, 12);
  });
});

describe("schedules at large steps", () => {
  it("take JS step numbers exactly beyond float32's 2^24", () => {
    const lin = optim.schedules.linear({ init: 0, end: 2 ** 25, transitionSteps: 2 ** 25 });
    const v = lin(2 ** 24 + 1);
    expect(typeof v === "number" ? v : v.item()).toBe(2 ** 24 + 1);
  });
});
