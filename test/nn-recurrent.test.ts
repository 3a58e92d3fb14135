import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat } from "./support/numeric.js";
import { checkTreeGrad, numericGrad } from "./support/module-grad.js";

const { nn } = fx;
const randn64 = (shape: number[], seed: number) => fx.random.normal(fx.random.key(seed), shape, { dtype: "float64" });

// ---------------------------------------------------------------------------
// Reference: the published equations (PyTorch's documentation), plain float64
// loops over nested arrays, written without any Fluxion op.
// ---------------------------------------------------------------------------
type Mat = number[][];
const sig = (v: number) => 1 / (1 + Math.exp(-v));
/** W [rows, cols] · v [cols] + b. */
function affine(W: Mat, v: number[], b: number[] | null): number[] {
  return W.map((row, r) => row.reduce((s, w, c) => s + w * v[c]!, b ? b[r]! : 0));
}
type Kind = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";
interface RefWeights { wih: Mat; whh: Mat; bih: number[] | null; bhh: number[] | null }

/** One step of a cell: returns [h, c]. */
function refStep(kind: Kind, w: RefWeights, x: number[], h: number[], c: number[]): [number[], number[]] {
  const H = h.length;
  const gi = affine(w.wih, x, w.bih), gh = affine(w.whh, h, w.bhh);
  const part = (v: number[], k: number) => v.slice(k * H, (k + 1) * H);
  if (kind === "rnn_tanh") return [gi.map((v, j) => Math.tanh(v + gh[j]!)), c];
  if (kind === "rnn_relu") return [gi.map((v, j) => Math.max(0, v + gh[j]!)), c];
  if (kind === "lstm") {
    const i = part(gi, 0).map((v, j) => sig(v + part(gh, 0)[j]!));
    const f = part(gi, 1).map((v, j) => sig(v + part(gh, 1)[j]!));
    const g = part(gi, 2).map((v, j) => Math.tanh(v + part(gh, 2)[j]!));
    const o = part(gi, 3).map((v, j) => sig(v + part(gh, 3)[j]!));
    const c2 = c.map((cv, j) => f[j]! * cv + i[j]! * g[j]!);
    return [c2.map((cv, j) => o[j]! * Math.tanh(cv)), c2];
  }
  const r = part(gi, 0).map((v, j) => sig(v + part(gh, 0)[j]!));
  const z = part(gi, 1).map((v, j) => sig(v + part(gh, 1)[j]!));
  const n = part(gi, 2).map((v, j) => Math.tanh(v + r[j]! * part(gh, 2)[j]!));
  return [n.map((nv, j) => (1 - z[j]!) * nv + z[j]! * h[j]!), c];
}

/**
 * A whole multi-layer (bi)directional network on x [B][T][F] with initial
 * h0/c0 [L·D][B][H]; returns the output [B][T][D·H] and final h, c [L·D][B][H].
 */
function refNetwork(kind: Kind, weights: (l: number, d: number) => RefWeights, L: number, D: number, x: number[][][], h0: number[][][], c0: number[][][]) {
  const B = x.length, T = x[0]!.length;
  let seq = x;
  const hN: number[][][] = [], cN: number[][][] = [];
  for (let l = 0; l < L; l++) {
    const out: number[][][] = Array.from({ length: B }, () => Array.from({ length: T }, () => [] as number[]));
    for (let d = 0; d < D; d++) {
      const w = weights(l, d);
      const hs: number[][] = [], cs: number[][] = [];
      for (let b = 0; b < B; b++) {
        let h = h0[l * D + d]![b]!, c = c0[l * D + d]![b]!;
        for (let s = 0; s < T; s++) {
          const t = d === 0 ? s : T - 1 - s;
          [h, c] = refStep(kind, w, seq[b]![t]!, h, c);
          out[b]![t]!.push(...h);
        }
        hs.push(h);
        cs.push(c);
      }
      hN.push(hs);
      cN.push(cs);
    }
    seq = out;
  }
  return { y: seq, hN, cN };
}

const nested = (t: fx.Tensor) => t.toArray() as never;

function refWeightsOf(m: fx.nn.RecurrentBase<unknown>) {
  return (l: number, d: number): RefWeights => {
    const p = m.parameters(l, d === 1);
    return { wih: nested(p.weightIh), whh: nested(p.weightHh), bih: p.biasIh ? nested(p.biasIh) : null, bhh: p.biasHh ? nested(p.biasHh) : null };
  };
}

interface Case { name: string; make: () => fx.nn.RecurrentBase<any>; kind: Kind; L: number; D: number }
const key = fx.random.key(7);
const CASES: Case[] = [
  { name: "RNN tanh, 2 layers, bidirectional", make: () => new nn.RNN(3, 4, { key, numLayers: 2, bidirectional: true, dtype: "float64" }), kind: "rnn_tanh", L: 2, D: 2 },
  { name: "RNN relu, no bias", make: () => new nn.RNN(3, 4, { key, nonlinearity: "relu", bias: false, dtype: "float64" }), kind: "rnn_relu", L: 1, D: 1 },
  { name: "LSTM, 2 layers, bidirectional", make: () => new nn.LSTM(3, 4, { key, numLayers: 2, bidirectional: true, dtype: "float64" }), kind: "lstm", L: 2, D: 2 },
  { name: "LSTM, 3 layers", make: () => new nn.LSTM(3, 5, { key, numLayers: 3, dtype: "float64" }), kind: "lstm", L: 3, D: 1 },
  { name: "GRU, bidirectional", make: () => new nn.GRU(3, 4, { key, bidirectional: true, dtype: "float64" }), kind: "gru", L: 1, D: 2 },
  { name: "GRU, 2 layers, no bias", make: () => new nn.GRU(3, 4, { key, numLayers: 2, bias: false, dtype: "float64" }), kind: "gru", L: 2, D: 1 },
];

describe("recurrent layers match the published equations (float64)", () => {
  for (const c of CASES) {
    it(`${c.name}: outputs and final states, zero and given initial state`, () => {
      const m = c.make();
      const B = 2, T = 5, H = m.hiddenSize, LD = c.L * c.D;
      const x = randn64([B, T, 3], 1);
      // Larger weights than the default init so the nonlinearities are exercised well beyond their linear range.
      const big = fx.tree.map((t: fx.Tensor) => t.mul(3), m) as typeof m;
      for (const withState of [false, true]) {
        const h0 = withState ? randn64([LD, B, H], 2) : fx.zeros([LD, B, H], "float64");
        const c0 = withState ? randn64([LD, B, H], 3) : fx.zeros([LD, B, H], "float64");
        const ref = refNetwork(c.kind, refWeightsOf(big), c.L, c.D, nested(x), nested(h0), nested(c0));
        const init = withState ? (c.kind === "lstm" ? [h0, c0] : h0) : undefined;
        const [y, state] = big.forwardWithState(x, init);
        expect(y.shape).toEqual([B, T, c.D * H]);
        expectAllClose(flat(y.toArray()), flat(ref.y), 1e-12, 1e-12);
        const [hN, cN] = c.kind === "lstm" ? (state as [fx.Tensor, fx.Tensor]) : [state as fx.Tensor, null];
        expect(hN.shape).toEqual([LD, B, H]);
        expectAllClose(flat(hN.toArray()), flat(ref.hN), 1e-12, 1e-12);
        if (cN) expectAllClose(flat(cN.toArray()), flat(ref.cN), 1e-12, 1e-12);
      }
    });
  }

  it("an unbatched sequence [T, F] gives the batched result without the batch axis", () => {
    const m = new nn.LSTM(3, 4, { key, bidirectional: true, dtype: "float64" });
    const x = randn64([6, 3], 4);
    const h0 = randn64([2, 4], 5), c0 = randn64([2, 4], 6);
    const [y, [h, c]] = m.forwardWithState(x, [h0, c0]);
    const [yb, [hb, cb]] = m.forwardWithState(x.expandDims(0), [h0.expandDims(1), c0.expandDims(1)]);
    expect(y.shape).toEqual([6, 8]);
    expect(h.shape).toEqual([2, 4]);
    expectAllClose(y.data(), yb.data(), 1e-15, 0);
    expectAllClose(h.data(), hb.data(), 1e-15, 0);
    expectAllClose(c.data(), cb.data(), 1e-15, 0);
  });
});

describe("recurrent layers: PyTorch parameter layout", () => {
  it("uses PyTorch's names, order and shapes", () => {
    const lstm = new nn.LSTM(10, 20, { key, numLayers: 2, bidirectional: true });
    const names = Object.keys(lstm).filter((k) => (lstm as unknown as Record<string, unknown>)[k] instanceof fx.Tensor);
    const expected: string[] = [];
    for (const l of [0, 1]) for (const sfx of ["", "_reverse"]) expected.push(...["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map((n) => `${n}_l${l}${sfx}`));
    expect(names).toEqual(expected);
    const f = lstm as unknown as Record<string, fx.Tensor>;
    expect(f.weight_ih_l0!.shape).toEqual([80, 10]);
    expect(f.weight_ih_l1!.shape).toEqual([80, 40]); // reads both directions of layer 0
    expect(f.weight_hh_l1_reverse!.shape).toEqual([80, 20]);
    expect(f.bias_hh_l0!.shape).toEqual([80]);
    const gru = new nn.GRU(10, 20, { key, bias: false }) as unknown as Record<string, fx.Tensor>;
    expect(gru.weight_ih_l0!.shape).toEqual([60, 10]);
    expect("bias_ih_l0" in gru).toBe(false);
    expect(nn.countParams(new nn.RNN(10, 20, { key }))).toBe(20 * 10 + 20 * 20 + 20 + 20);
  });

  it("saves to safetensors under PyTorch's state-dict names and loads back into a fresh layer", () => {
    const dir = mkdtempSync(join(tmpdir(), "fluxion-rnn-"));
    const gru = new nn.GRU(3, 4, { key, numLayers: 2, bidirectional: true });
    fx.io.saveSafetensors(join(dir, "gru.safetensors"), gru);
    const names = Object.keys(fx.io.loadSafetensors(join(dir, "gru.safetensors")).tensors).sort();
    const expected: string[] = [];
    for (const l of [0, 1]) for (const sfx of ["", "_reverse"]) expected.push(...["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map((n) => `${n}_l${l}${sfx}`));
    expect(names).toEqual(expected.sort());
    const fresh = fx.io.loadInto(new nn.GRU(3, 4, { key: fx.random.key(99), numLayers: 2, bidirectional: true }), join(dir, "gru.safetensors"));
    const x = fx.random.normal(fx.random.key(1), [2, 5, 3]);
    expect(Array.from(fresh.forward(x).data())).toEqual(Array.from(gru.forward(x).data()));
    const mha = new nn.MultiHeadAttention(8, 2, { key });
    fx.io.saveSafetensors(join(dir, "mha.safetensors"), mha);
    expect(Object.keys(fx.io.loadSafetensors(join(dir, "mha.safetensors")).tensors).sort()).toEqual(["in_proj_bias", "in_proj_weight", "out_proj.bias", "out_proj.weight"]);
  });

  it("initializes every parameter in U(-1/sqrt(H), 1/sqrt(H))", () => {
    const m = new nn.GRU(6, 16, { key, numLayers: 2 });
    for (const leaf of fx.tree.leaves(m) as fx.Tensor[]) {
      const v = Array.from(leaf.data());
      expect(Math.max(...v.map(Math.abs))).toBeLessThanOrEqual(0.25);
      expect(Math.max(...v.map(Math.abs))).toBeGreaterThan(0.2); // spread over the whole range, not a constant
    }
  });
});

describe("recurrent layers: backpropagation through time", () => {
  const x = randn64([2, 4, 2], 11);
  for (const [name, make] of [
    ["RNN", () => new nn.RNN(2, 3, { key, bidirectional: true, dtype: "float64" })],
    ["LSTM", () => new nn.LSTM(2, 3, { key, numLayers: 2, dtype: "float64" })],
    ["GRU", () => new nn.GRU(2, 3, { key, bidirectional: true, dtype: "float64" })],
  ] as const) {
    it(`${name}: gradients of parameters, inputs and initial state match finite differences`, () => {
      const m = make() as fx.nn.RecurrentBase<any>;
      const LD = m.numLayers * m.directions;
      const R = randn64([2, 4, 3 * m.directions], 12);
      const h0 = randn64([LD, 2, 3], 13), c0 = randn64([LD, 2, 3], 14);
      const init = (s: { h0: fx.Tensor; c0: fx.Tensor }) => (name === "LSTM" ? [s.h0, s.c0] : s.h0);
      const loss = (t: { m: typeof m; x: fx.Tensor; h0: fx.Tensor; c0: fx.Tensor }) => {
        const [y, state] = t.m.forwardWithState(t.x, init(t));
        const hN = Array.isArray(state) ? state[0] : state;
        return y.mul(R).sum().add(hN.sum().mul(0.5));
      };
      checkTreeGrad(loss, { m, x, h0, c0: name === "LSTM" ? c0 : fx.zeros([1], "float64") }, 1e-6);
    });
  }

  it("GRU: second order — forward-over-reverse Hessian-vector product matches differences of gradients", () => {
    const m = new nn.GRU(2, 3, { key, dtype: "float64" });
    const w = (m as unknown as Record<string, fx.Tensor>).weight_hh_l0!;
    const lossW = (wh: fx.Tensor) => fx.nn.treeAt(m, (mm) => (mm as unknown as Record<string, fx.Tensor>).weight_hh_l0!, wh).forward(x).square().sum();
    const v = randn64([...w.shape], 21);
    const [, hv] = fx.jvp(fx.grad(lossW), [w], [v]);
    const h = 1e-5;
    const gPlus = fx.grad(lossW)(w.add(v.mul(h))), gMinus = fx.grad(lossW)(w.sub(v.mul(h)));
    expectAllClose(flat((hv as fx.Tensor).toArray()), flat(gPlus.sub(gMinus).div(2 * h).toArray()), 1e-6, 1e-7);
  });

  it("the gradient reaches the first step of a long sequence", () => {
    const m = new nn.LSTM(1, 4, { key, dtype: "float64" });
    const xs = randn64([1, 30, 1], 31);
    const g = fx.grad((xx: fx.Tensor) => m.forward(xx).slice(":", -1).sum())(xs);
    const first = Math.abs((g.toArray() as number[][][])[0]![0]![0]!);
    expect(first).toBeGreaterThan(0);
    const numeric = numericGrad((xx) => m.forward(xx).slice(":", -1).sum().item(), xs)[0]!;
    expect(Math.abs(first - Math.abs(numeric))).toBeLessThan(1e-7);
  });
});

describe("recurrent layers under transforms", () => {
  it("jit equals eager and compiles the time loop once (one scan per layer and direction)", () => {
    const m = new nn.LSTM(3, 4, { key, numLayers: 2, bidirectional: true, dtype: "float64" });
    const x = randn64([2, 7, 3], 41);
    const f = fx.jit((mm: typeof m, xx: fx.Tensor) => mm.forward(xx));
    expectAllClose(f(m, x).data(), m.forward(x).data(), 1e-14, 1e-14);
    const prog = f.trace(m, x);
    expect(prog.eqns.filter((e) => e.prim.name === "scan").length).toBe(4);
    const longer = randn64([2, 20, 3], 42);
    expect(f.trace(m, longer).eqns.length).toBe(prog.eqns.length); // no unrolling
    const lossG = (mm: typeof m, xx: fx.Tensor) => mm.forward(xx).square().sum();
    const gj = fx.jit(fx.grad(lossG))(m, x), ge = fx.grad(lossG)(m, x);
    expectAllClose(flat(fx.tree.leaves(gj).map((t) => flat((t as fx.Tensor).toArray()))), flat(fx.tree.leaves(ge).map((t) => flat((t as fx.Tensor).toArray()))), 1e-12, 1e-12);
  });

  it("vmap over unbatched sequences equals the batched layer and a loop (values and gradients)", () => {
    const m = new nn.GRU(3, 4, { key, bidirectional: true, dtype: "float64" });
    const x = randn64([3, 5, 3], 51);
    const v = fx.vmap((xx: fx.Tensor) => m.forward(xx))(x);
    expectAllClose(v.data(), m.forward(x).data(), 1e-13, 1e-13);
    const loop = fx.stack([0, 1, 2].map((b) => m.forward(x.slice(b))));
    expectAllClose(v.data(), loop.data(), 1e-13, 1e-13);
    const perExample = fx.vmap(fx.grad((xx: fx.Tensor) => m.forward(xx).square().sum()))(x);
    const loopG = fx.stack([0, 1, 2].map((b) => fx.grad((xx: fx.Tensor) => m.forward(xx).square().sum())(x.slice(b))));
    expectAllClose(perExample.data(), loopG.data(), 1e-12, 1e-12);
  });
});

describe("recurrent layers: options and errors", () => {
  it("applies dropout between layers only in training mode, reproducibly per key", () => {
    const m = new nn.GRU(3, 8, { key, numLayers: 2, dropout: 0.5 });
    const x = fx.random.normal(fx.random.key(3), [2, 4, 3]);
    const evalY = m.forward(x);
    const a = m.forward(x, { training: true, key: fx.random.key(1) });
    const b = m.forward(x, { training: true, key: fx.random.key(1) });
    const c = m.forward(x, { training: true, key: fx.random.key(2) });
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    expect(Array.from(a.data())).not.toEqual(Array.from(c.data()));
    expect(Array.from(a.data())).not.toEqual(Array.from(evalY.data()));
    expect(Array.from(m.forward(x, { training: false, key: fx.random.key(1) }).data())).toEqual(Array.from(evalY.data()));
  });

  it("rejects wrong input and state shapes with the shapes in the message", () => {
    const m = new nn.LSTM(3, 4, { key, numLayers: 2 });
    expect(() => m.forward(fx.ones([2, 5, 6]))).toThrow(fx.ShapeError);
    expect(() => m.forward(fx.ones([2, 5, 6]))).toThrow(/expected an input \[batch, time, 3\].*got \[2, 5, 6\]/);
    expect(() => m.forwardWithState(fx.ones([2, 5, 3]), [fx.zeros([1, 2, 4]), fx.zeros([2, 2, 4])])).toThrow(/initial state h must be \[2, 2, 4\].*got \[1, 2, 4\]/);
    expect(() => new nn.RNN(3, 0, { key })).toThrow(/hiddenSize must be a positive integer/);
    expect(() => new nn.GRU(3, 4, { key, dropout: 1 })).toThrow(/dropout must be in \[0, 1\)/);
    expect(() => new nn.RNN(3, 4, {} as never)).toThrow(/needs a key/);
  });
});
