import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat, rng } from "./support/numeric.js";
import { checkHvp, checkTreeGrad } from "./support/module-grad.js";

const { nn } = fx;
const key = fx.random.key(5);
const randn64 = (shape: number[], seed: number) => fx.random.normal(fx.random.key(seed), shape, { dtype: "float64" });
type M = number[][];
const nested = (t: fx.Tensor) => t.toArray() as never;

// ---- Reference: attention from its definition, plain float64 loops ----
/** softmax(q kᵀ·scale + bias, masked) v for one head: q [Tq][d], k [Tk][d], v [Tk][dv], allow(i, j). */
function refAttention(q: M, k: M, v: M, allow: (i: number, j: number) => boolean, bias?: (i: number, j: number) => number): { out: M; w: M } {
  const d = q[0]!.length, scale = 1 / Math.sqrt(d);
  const w = q.map((qi, i) => {
    const s = k.map((kj, j) => (allow(i, j) ? qi.reduce((acc, x, c) => acc + x * kj[c]!, 0) * scale + (bias ? bias(i, j) : 0) : -Infinity));
    const m = Math.max(...s);
    const e = s.map((x) => (x === -Infinity ? 0 : Math.exp(x - m)));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / z);
  });
  const out = w.map((wi) => v[0]!.map((_, c) => wi.reduce((acc, x, j) => acc + x * v[j]![c]!, 0)));
  return { out, w };
}
const matvecT = (x: M, W: M, b: number[] | null) => x.map((row) => W.map((wr, o) => wr.reduce((s, w, i) => s + w * row[i]!, b ? b[o]! : 0)));
const cols = (x: M, lo: number, hi: number) => x.map((r) => r.slice(lo, hi));

/** Multi-head attention of one sequence from the definition, with the module's own weights. */
function refMHA(m: fx.nn.MultiHeadAttention, q: M, k: M, v: M, allow: (i: number, j: number) => boolean): { out: M; w: M[] } {
  const E = m.dim, h = m.heads, hs = E / h;
  const W = (i: number): M => (m.in_proj_weight ? (nested(m.in_proj_weight) as M).slice(i * E, (i + 1) * E) : nested([m.q_proj_weight, m.k_proj_weight, m.v_proj_weight][i]!));
  const b = (i: number): number[] | null => (m.in_proj_bias ? (nested(m.in_proj_bias) as number[]).slice(i * E, (i + 1) * E) : null);
  const Q = matvecT(q, W(0), b(0)), K = matvecT(k, W(1), b(1)), V = matvecT(v, W(2), b(2));
  const heads = Array.from({ length: h }, (_, j) => refAttention(cols(Q, j * hs, (j + 1) * hs), cols(K, j * hs, (j + 1) * hs), cols(V, j * hs, (j + 1) * hs), allow));
  const concat = Q.map((_, t) => heads.flatMap((hd) => hd.out[t]!));
  const out = matvecT(concat, nested(m.out_proj.weight), m.out_proj.bias ? nested(m.out_proj.bias) : null);
  return { out, w: heads.map((hd) => hd.w) };
}

describe("masks", () => {
  it("causal, banded, banded causal and key padding masks", () => {
    expect(nn.masks.causal(3).toArray()).toEqual([[true, false, false], [true, true, false], [true, true, true]]);
    expect(nn.masks.causal(2, 3, { offset: 1 }).toArray()).toEqual([[true, true, false], [true, true, true]]);
    expect(nn.masks.banded(4, 1).toArray()).toEqual([
      [true, true, false, false], [true, true, true, false], [false, true, true, true], [false, false, true, true],
    ]);
    expect(nn.masks.banded(4, 1, { causal: true }).toArray()).toEqual([
      [true, false, false, false], [true, true, false, false], [false, true, true, false], [false, false, true, true],
    ]);
    const kp = nn.masks.keyPadding([2, 3], 4);
    expect(kp.shape).toEqual([2, 1, 1, 4]);
    expect(flat(kp.toArray())).toEqual([true, true, false, false, true, true, true, false]);
    const fromBool = nn.masks.keyPadding(fx.tensor([[true, false], [true, true]]));
    expect(fromBool.shape).toEqual([2, 1, 1, 2]);
    expect(nn.masks.both(nn.masks.causal(4), kp).shape).toEqual([2, 1, 4, 4]);
    expect(() => nn.masks.keyPadding([2, 3])).toThrow(/give the number of keys/);
  });
});

describe("scaledDotProductAttention", () => {
  const B = 2, T = 5, d = 4;
  const q = randn64([B, T, d], 1), k = randn64([B, T, d], 2), v = randn64([B, T, 3], 3);
  const r = rng(9);
  const arbitrary = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => j === i || r() < 0.5));
  const masks: [string, fx.Tensor | null, (b: number, i: number, j: number) => boolean][] = [
    ["no mask", null, () => true],
    ["causal", nn.masks.causal(T), (_b, i, j) => j <= i],
    ["banded", nn.masks.banded(T, 1), (_b, i, j) => Math.abs(i - j) <= 1],
    ["key padding", nn.masks.keyPadding([3, 5], T).reshape([B, 1, T]), (b, _i, j) => j < [3, 5][b]!],
    ["an arbitrary boolean mask", fx.tensor(arbitrary), (_b, i, j) => arbitrary[i]![j]!],
  ];
  for (const [name, mask, allow] of masks) {
    it(`matches the definition with ${name}`, () => {
      const [out, w] = nn.scaledDotProductAttentionWithWeights(q, k, v, { mask });
      for (let b = 0; b < B; b++) {
        const ref = refAttention(nested(q.slice(b)), nested(k.slice(b)), nested(v.slice(b)), (i, j) => allow(b, i, j));
        expectAllClose(flat(out.slice(b).toArray()), flat(ref.out), 1e-12, 1e-13);
        expectAllClose(flat(w.slice(b).toArray()), flat(ref.w), 1e-12, 1e-13);
      }
    });
  }

  it("adds a float mask to the scores", () => {
    const bias = randn64([T, T], 4);
    const out = nn.scaledDotProductAttention(q, k, v, { mask: bias });
    const bb = nested(bias) as M;
    const ref = refAttention(nested(q.slice(0)), nested(k.slice(0)), nested(v.slice(0)), () => true, (i, j) => bb[i]![j]!);
    expectAllClose(flat(out.slice(0).toArray()), flat(ref.out), 1e-12, 1e-13);
  });

  it("gives a row whose keys are all masked uniform weights, not NaN", () => {
    const none = fx.tensor([[false, false, false, false, false], [true, true, true, true, true]]).reshape([2, 1, T]);
    const w = nn.attentionWeights(q, k, { mask: none });
    expectAllClose(flat(w.slice(0).toArray()), Array(T * T).fill(1 / T), 1e-12, 1e-14);
    expect(Array.from(fx.grad((qq: fx.Tensor) => nn.scaledDotProductAttention(qq, k, v, { mask: none }).sum())(q).data()).every(Number.isFinite)).toBe(true);
  });

  it("stays finite for huge scores and in float32", () => {
    const big = nn.scaledDotProductAttention(q.mul(1e4), k.mul(1e4), v, { mask: nn.masks.causal(T) });
    expect(Array.from(big.data()).every(Number.isFinite)).toBe(true);
    const f32 = nn.scaledDotProductAttention(q.astype("float32"), k.astype("float32"), v.astype("float32"), { mask: nn.masks.causal(T) });
    expectAllClose(f32.data(), nn.scaledDotProductAttention(q, k, v, { mask: nn.masks.causal(T) }).data(), 1e-5, 1e-6);
  });

  it("gradients match finite differences, with a mask", () => {
    const mask = nn.masks.causal(T);
    const R = randn64([B, T, 3], 5);
    checkTreeGrad((t: { q: fx.Tensor; k: fx.Tensor; v: fx.Tensor }) => nn.scaledDotProductAttention(t.q, t.k, t.v, { mask }).mul(R).sum(), { q, k, v });
  });

  it("second order: Hessian-vector products match differences of gradients", () => {
    const mask = nn.masks.causal(T);
    checkHvp((qq) => nn.scaledDotProductAttention(qq, k, v, { mask }).square().sum(), q);
    checkHvp((kk) => nn.scaledDotProductAttention(q, kk, v, { mask }).square().sum(), k);
  });

  it("rejects mismatched feature sizes", () => {
    expect(() => nn.scaledDotProductAttention(q, randn64([B, T, 3], 1), v)).toThrow(/q and k need the same feature size.*\[2, 5, 4\].*\[2, 5, 3\]/);
  });
});

describe("MultiHeadAttention", () => {
  const E = 8, H = 2, B = 2, T = 4;
  const x = randn64([B, T, E], 11);

  it("self attention matches the definition, with per-head and averaged weights", () => {
    const m = new nn.MultiHeadAttention(E, H, { key, dtype: "float64" });
    // Non-zero biases so they are checked too.
    const mb = nn.treeAt(m, (mm) => mm.in_proj_bias!, randn64([3 * E], 12));
    const [out, w] = mb.forward(x, null, null, { causal: true, returnWeights: true, averageWeights: false });
    const [, wAvg] = mb.forward(x, null, null, { causal: true, returnWeights: true });
    expect(w.shape).toEqual([B, H, T, T]);
    expect(wAvg.shape).toEqual([B, T, T]);
    for (let b = 0; b < B; b++) {
      const xb = nested(x.slice(b)) as M;
      const ref = refMHA(mb, xb, xb, xb, (i, j) => j <= i);
      expectAllClose(flat(out.slice(b).toArray()), flat(ref.out), 1e-12, 1e-13);
      expectAllClose(flat(w.slice(b).toArray()), flat(ref.w), 1e-12, 1e-13);
      const avg = ref.w[0]!.map((row, i) => row.map((_, j) => (ref.w[0]![i]![j]! + ref.w[1]![i]![j]!) / 2));
      expectAllClose(flat(wAvg.slice(b).toArray()), flat(avg), 1e-12, 1e-13);
    }
  });

  it("cross attention with other key/value sizes matches the definition", () => {
    const m = new nn.MultiHeadAttention(E, H, { key, kdim: 3, vdim: 5, dtype: "float64" });
    expect(m.in_proj_weight).toBeNull();
    expect(m.k_proj_weight!.shape).toEqual([E, 3]);
    const q = randn64([B, 2, E], 13), k = randn64([B, 6, 3], 14), v = randn64([B, 6, 5], 15);
    const lengths = [4, 6];
    const out = m.forward(q, k, v, { mask: nn.masks.keyPadding(lengths, 6) });
    expect(out.shape).toEqual([B, 2, E]);
    for (let b = 0; b < B; b++) {
      const ref = refMHA(m, nested(q.slice(b)), nested(k.slice(b)), nested(v.slice(b)), (_i, j) => j < lengths[b]!);
      expectAllClose(flat(out.slice(b).toArray()), flat(ref.out), 1e-12, 1e-13);
    }
  });

  it("padding keys change nothing: same output as the truncated sequence", () => {
    const m = new nn.MultiHeadAttention(E, H, { key, dtype: "float64" });
    const q = randn64([1, 3, E], 16), kv = randn64([1, 6, E], 17);
    const padded = m.forward(q, kv, kv, { mask: nn.masks.keyPadding([4], 6) });
    const trimmed = m.forward(q, kv.slice(":", [0, 4]), kv.slice(":", [0, 4]));
    expectAllClose(padded.data(), trimmed.data(), 1e-12, 1e-14);
  });

  it("causal: the output at position t does not change when later tokens change", () => {
    const m = new nn.MultiHeadAttention(E, H, { key, dtype: "float64" });
    const t = 1;
    const changed = x.at(":", [t + 1, T]).set(randn64([B, T - t - 1, E], 18));
    const a = m.forward(x, null, null, { causal: true }), b = m.forward(changed, null, null, { causal: true });
    expectAllClose(flat(a.slice(":", [0, t + 1]).toArray()), flat(b.slice(":", [0, t + 1]).toArray()), 0, 0);
    // Without the mask the same change does reach position t (so the check above can fail).
    const c = m.forward(x), d = m.forward(changed);
    expect(Math.max(...flat(c.slice(":", t).sub(d.slice(":", t)).abs().toArray()))).toBeGreaterThan(1e-3);
  });

  it("gradients of parameters and inputs match finite differences", () => {
    const m = new nn.MultiHeadAttention(4, 2, { key, dtype: "float64" });
    const xs = randn64([1, 3, 4], 19);
    const R = randn64([1, 3, 4], 20);
    checkTreeGrad((t: { m: typeof m; x: fx.Tensor }) => t.m.forward(t.x, null, null, { causal: true }).mul(R).sum(), { m, x: xs });
  });

  it("jit equals eager; vmap over unbatched sequences equals the batched call", () => {
    const m = new nn.MultiHeadAttention(E, H, { key, dtype: "float64" });
    const f = fx.jit((mm: typeof m, xx: fx.Tensor) => mm.forward(xx, null, null, { causal: true }));
    expectAllClose(f(m, x).data(), m.forward(x, null, null, { causal: true }).data(), 1e-13, 1e-14);
    const v = fx.vmap((xx: fx.Tensor) => m.forward(xx, null, null, { causal: true }))(x);
    expect(m.forward(x.slice(0), null, null, { causal: true }).shape).toEqual([T, E]);
    expectAllClose(v.data(), m.forward(x, null, null, { causal: true }).data(), 1e-13, 1e-14);
  });

  it("rejects bad sizes with the shapes in the message", () => {
    expect(() => new nn.MultiHeadAttention(10, 3, { key })).toThrow(/dim 10 must be divisible by heads 3/);
    const m = new nn.MultiHeadAttention(E, H, { key });
    expect(() => m.forward(fx.ones([2, 4, 6]))).toThrow(/query must be \[B, T, features\] with 8 features \(query \[2, 4, 6\]/);
    expect(() => m.forward(fx.ones([2, 4, 8]), fx.ones([3, 4, 8]))).toThrow(/same batch size/);
  });
});

describe("positional encodings", () => {
  it("sinusoidal table follows the formula", () => {
    const pe = nn.sinusoidalPositions(6, 5, { dtype: "float64" });
    const ref = Array.from({ length: 6 }, (_, p) => Array.from({ length: 5 }, (_, j) => {
      const a = p / 10000 ** ((2 * Math.floor(j / 2)) / 5);
      return j % 2 === 0 ? Math.sin(a) : Math.cos(a);
    }));
    expectAllClose(flat(pe.toArray()), flat(ref), 1e-14, 1e-15);
    const enc = new nn.SinusoidalPositionalEncoding(5);
    const x = fx.ones([2, 6, 5], "float64");
    expectAllClose(flat(enc.forward(x).slice(1).toArray()), flat(ref).map((v) => v + 1), 1e-14, 1e-15);
    expectAllClose(flat(enc.forward(x.slice(":", [0, 2]), { offset: 3 }).slice(0).toArray()), flat(ref.slice(3, 5)).map((v) => v + 1), 1e-14, 1e-15);
  });

  it("learned embedding adds its first T rows and gets their gradient", () => {
    const pe = new nn.LearnedPositionalEmbedding(8, 3, { key, dtype: "float64" });
    const x = randn64([2, 5, 3], 21);
    expectAllClose(flat(pe.forward(x).sub(x).slice(1).toArray()), flat(pe.weight.slice([0, 5]).toArray()), 1e-12, 1e-15);
    const g = fx.grad((p: typeof pe) => p.forward(x).sum())(pe);
    expect(flat(g.weight.toArray())).toEqual([...Array(15).fill(2), ...Array(9).fill(0)]);
    expect(() => pe.forward(randn64([1, 9, 3], 1))).toThrow(/exceed maxLength 8/);
  });
});

describe("TransformerBlock", () => {
  const E = 8, T = 5;
  const x = randn64([2, T, E], 31);
  const tanhGelu = (t: fx.Tensor) => nn.gelu(t, true);

  it("is x + MHA(LN(x)), then h + MLP(LN(h)), from the definition", () => {
    const blk = new nn.TransformerBlock(E, 2, { key, causal: true, mlpHidden: 12, activation: tanhGelu, dtype: "float64" });
    const y = blk.forward(x);
    const ln = (v: number[]) => {
      const mu = v.reduce((a, b) => a + b, 0) / v.length;
      const va = v.reduce((a, b) => a + (b - mu) ** 2, 0) / v.length;
      return v.map((z) => (z - mu) / Math.sqrt(va + 1e-5));
    };
    const gl = (z: number) => 0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z ** 3)));
    for (let b = 0; b < 2; b++) {
      const xb = nested(x.slice(b)) as M;
      const n1 = xb.map(ln);
      const a = refMHA(blk.attn, n1, n1, n1, (i, j) => j <= i).out;
      const h = xb.map((r, t) => r.map((z, c) => z + a[t]![c]!));
      const hid = matvecT(h.map(ln), nested(blk.fc1.weight), nested(blk.fc1.bias!)).map((r) => r.map(gl));
      const m = matvecT(hid, nested(blk.fc2.weight), nested(blk.fc2.bias!));
      expectAllClose(flat(y.slice(b).toArray()), flat(h.map((r, t) => r.map((z, c) => z + m[t]![c]!))), 1e-12, 1e-13);
    }
  });

  it("causal block: position t is unaffected by later tokens; non-causal is affected", () => {
    for (const causal of [true, false]) {
      const blk = new nn.TransformerBlock(E, 2, { key, causal, dtype: "float64" });
      for (let t = 0; t < T - 1; t++) {
        const changed = x.at(":", [t + 1, T]).set(randn64([2, T - t - 1, E], 40 + t));
        const diff = Math.max(...flat(blk.forward(x).slice(":", [0, t + 1]).sub(blk.forward(changed).slice(":", [0, t + 1])).abs().toArray()));
        if (causal) expect(diff).toBe(0);
        else expect(diff).toBeGreaterThan(1e-4);
      }
    }
  });

  it("gradients match finite differences", () => {
    const blk = new nn.TransformerBlock(4, 2, { key, causal: true, mlpHidden: 6, dtype: "float64" });
    const xs = randn64([1, 3, 4], 32), R = randn64([1, 3, 4], 33);
    checkTreeGrad((t: { b: typeof blk; x: fx.Tensor }) => t.b.forward(t.x).mul(R).sum(), { b: blk, x: xs }, 1e-6);
  });

  it("dropout only in training, keyed; attention weights are returned per block", () => {
    const blk = new nn.TransformerBlock(E, 2, { key, causal: true, dropout: 0.3 });
    const x32 = x.astype("float32");
    expect(Array.from(blk.forward(x32, { training: true, key: fx.random.key(1) }).data())).not.toEqual(Array.from(blk.forward(x32).data()));
    expect(() => blk.forward(x32, { training: true })).toThrow(/needs a key/);
    const w = blk.attentionWeights(x32);
    expect(w.shape).toEqual([2, T, T]);
    expect(flat(w.slice(0, 0).toArray()).slice(1).every((v) => v === 0)).toBe(true); // position 0 sees only itself
    expectAllClose(flat(w.sum(-1).toArray()), Array(2 * T).fill(1), 1e-6, 1e-6);
  });
});

describe("Embedding with tied output weights", () => {
  it("attend gives h · Wᵀ and the shared table receives both gradients", () => {
    const emb = new nn.Embedding(6, 3, { key, dtype: "float64" });
    const ids = fx.tensor([[1, 4]], { dtype: "int32" });
    const logits = emb.attend(emb.forward(ids));
    const W = nested(emb.weight) as M;
    const ref = [1, 4].map((i) => W.map((row) => row.reduce((s, w, c) => s + w * W[i]![c]!, 0)));
    expectAllClose(flat(logits.toArray()), flat(ref), 1e-14, 1e-15);
    checkTreeGrad((e: typeof emb) => fx.losses.softmaxCrossEntropyWithIntegerLabels(e.attend(e.forward(ids)), fx.tensor([[4, 2]], { dtype: "int32" })), emb);
    expect(() => emb.attend(fx.ones([2, 4], "float64"))).toThrow(/Embedding.attend: expected features of size 3/);
  });
});
