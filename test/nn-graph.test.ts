import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat, rng } from "./support/numeric.js";
import { checkTreeGrad } from "./support/module-grad.js";

const { nn, graph } = fx;
const key = fx.random.key(9);
const randn64 = (shape: number[], seed: number) => fx.random.normal(fx.random.key(seed), shape, { dtype: "float64" });
type M = number[][];
const nested = (t: fx.Tensor) => t.toArray() as never;
const lin = (W: M, b: number[] | null, v: number[]) => W.map((row, o) => row.reduce((s, w, i) => s + w * v[i]!, b ? b[o]! : 0));

/** A random directed graph: N nodes, E edges, plus two graphs in a batch. */
function randomGraph(seed: number, N: number, E: number, withFeatures = 0) {
  const r = rng(seed);
  const src = Array.from({ length: E }, () => Math.floor(r() * N));
  const dst = Array.from({ length: E }, () => Math.floor(r() * N));
  return {
    nodes: randn64([N, 3], seed),
    edgeIndex: fx.tensor([src, dst], { dtype: "int32" }),
    edgeFeatures: withFeatures ? randn64([E, withFeatures], seed + 1) : null,
    src, dst,
  };
}

/** Applies a node permutation to a graph: node i becomes perm[i]. */
function permute(g: ReturnType<typeof randomGraph>, perm: number[]) {
  const inv = perm.map((_, i) => perm.indexOf(i));
  return {
    nodes: fx.take(g.nodes, fx.tensor(inv, { dtype: "int32" }), 0),
    edgeIndex: fx.tensor([g.src.map((s) => perm[s]!), g.dst.map((d) => perm[d]!)], { dtype: "int32" }),
  };
}

describe("GraphConv", () => {
  const g = randomGraph(1, 6, 14, 2);
  const batch = graph.batch([{ nodes: g.nodes, edgeIndex: g.edgeIndex, edgeFeatures: g.edgeFeatures }]);
  for (const aggregation of ["sum", "mean", "max"] as const) {
    it(`${aggregation}: matches message passing written as loops, with edge features`, () => {
      const conv = new nn.GraphConv(3, 4, { key, aggregation, edgeDim: 2, dtype: "float64" });
      const out = conv.forward(batch.nodes, batch);
      const X = nested(g.nodes) as M, EF = nested(g.edgeFeatures!) as M;
      const Wrel = nested(conv.lin_rel.weight) as M, Wroot = nested(conv.lin_root.weight) as M, b = nested(conv.lin_root.bias!) as number[];
      const ref = X.map((xi, i) => {
        const msgs = g.src.map((s, e) => [s, e] as const).filter(([, e]) => g.dst[e] === i).map(([s, e]) => lin(Wrel, null, [...X[s]!, ...EF[e]!]));
        const agg = Array.from({ length: 4 }, (_, c) => {
          if (msgs.length === 0) return 0;
          const col = msgs.map((m) => m[c]!);
          return aggregation === "sum" ? col.reduce((a, v) => a + v, 0) : aggregation === "mean" ? col.reduce((a, v) => a + v, 0) / col.length : Math.max(...col);
        });
        return lin(Wroot, b, xi).map((v, c) => v + agg[c]!);
      });
      expectAllClose(flat(out.toArray()), flat(ref), 1e-12, 1e-13);
    });
  }

  it("is permutation equivariant: renumbering nodes renumbers the output", () => {
    const g2 = randomGraph(2, 7, 16);
    const conv = new nn.GraphConv(3, 5, { key, aggregation: "max", dtype: "float64" });
    const perm = [3, 0, 6, 1, 5, 2, 4];
    const p = permute(g2, perm);
    const out = nested(conv.forward(g2.nodes, g2.edgeIndex)) as M;
    const outP = nested(conv.forward(p.nodes, p.edgeIndex)) as M;
    out.forEach((row, i) => expectAllClose(outP[perm[i]!]!, row, 1e-13, 1e-14));
  });

  it("gradients match finite differences for every aggregation", () => {
    const small = randomGraph(3, 4, 7);
    for (const aggregation of ["sum", "mean", "max"] as const) {
      const conv = new nn.GraphConv(3, 2, { key, aggregation, dtype: "float64" });
      const R = randn64([4, 2], 4);
      checkTreeGrad((t: { c: typeof conv; x: fx.Tensor }) => t.c.forward(t.x, small.edgeIndex).mul(R).sum(), { c: conv, x: small.nodes });
    }
  });

  it("jit equals eager; a batch of graphs equals the graphs one by one", () => {
    const a = randomGraph(5, 5, 8), b = randomGraph(6, 3, 4);
    const conv = new nn.GraphConv(3, 4, { key, aggregation: "mean", dtype: "float64" });
    const gb = graph.batch([{ nodes: a.nodes, edgeIndex: a.edgeIndex }, { nodes: b.nodes, edgeIndex: b.edgeIndex }]);
    const together = conv.forward(gb.nodes, gb);
    const apart = fx.concatenate([conv.forward(a.nodes, a.edgeIndex), conv.forward(b.nodes, b.edgeIndex)]);
    expectAllClose(together.data(), apart.data(), 1e-14, 1e-15);
    const j = fx.jit((c: typeof conv, bb: fx.graph.GraphBatch) => c.forward(bb.nodes, bb));
    expectAllClose(j(conv, gb).data(), together.data(), 1e-14, 1e-15);
  });

  it("rejects missing edge features and wrong widths", () => {
    const conv = new nn.GraphConv(3, 4, { key, edgeDim: 2 });
    expect(() => conv.forward(g.nodes.astype("float32"), g.edgeIndex)).toThrow(/needs edge features \[14, 2\], got none/);
    expect(() => new nn.GraphConv(3, 4, { key }).forward(fx.ones([6, 5]), g.edgeIndex)).toThrow(/expected node features \[N, 3\], got \[6, 5\]/);
    expect(() => new nn.GraphConv(3, 4, { key, aggregation: "median" as never })).toThrow(/aggregation must be/);
  });
});

describe("GraphAttention", () => {
  const g = randomGraph(7, 6, 12);

  /** GAT from its definition, with self-loops, per head. */
  function refGAT(m: fx.nn.GraphAttention, X: M): M {
    const H = m.heads, C = m.outFeatures;
    const W = nested(m.lin.weight) as M, aS = nested(m.att_src) as M, aD = nested(m.att_dst) as M;
    const h = X.map((x) => lin(W, null, x)); // [N][H·C]
    const head = (v: number[], k: number) => v.slice(k * C, (k + 1) * C);
    const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const src = [...g.src, ...X.map((_, i) => i)], dst = [...g.dst, ...X.map((_, i) => i)];
    return X.map((_, i) => {
      const heads = Array.from({ length: H }, (_, k) => {
        const incoming = src.map((s, e) => [s, e] as const).filter(([, e]) => dst[e] === i).map(([s]) => s);
        const scores = incoming.map((j) => {
          const z = dot(aS[k]!, head(h[j]!, k)) + dot(aD[k]!, head(h[i]!, k));
          return z > 0 ? z : 0.2 * z;
        });
        const mx = Math.max(...scores);
        const ex = scores.map((s) => Math.exp(s - mx));
        const tot = ex.reduce((a, b) => a + b, 0);
        return Array.from({ length: C }, (_, c) => incoming.reduce((acc, j, n) => acc + (ex[n]! / tot) * head(h[j]!, k)[c]!, 0));
      });
      const out = m.concat ? heads.flat() : heads[0]!.map((_, c) => heads.reduce((a, hd) => a + hd[c]!, 0) / H);
      const b = m.bias ? (nested(m.bias) as number[]) : null;
      return out.map((v, c) => v + (b ? b[c]! : 0));
    });
  }

  for (const concat of [true, false]) {
    it(`matches the definition (3 heads, ${concat ? "concatenated" : "averaged"}); weights sum to 1 per node`, () => {
      const gat = new nn.GraphAttention(3, 2, { key, heads: 3, concat, dtype: "float64" });
      const gb = nn.treeAt(gat, (m) => m.bias!, randn64([concat ? 6 : 2], 8));
      const [out, alpha, ei] = gb.forwardWithWeights(g.nodes, g.edgeIndex);
      expect(out.shape).toEqual([6, concat ? 6 : 2]);
      expectAllClose(flat(out.toArray()), flat(refGAT(gb, nested(g.nodes))), 1e-12, 1e-13);
      expect(alpha.shape).toEqual([12 + 6, 3]);
      expectAllClose(flat(graph.segmentSum(alpha, ei.slice(1), 6).toArray()), Array(18).fill(1), 1e-13, 1e-14);
    });
  }

  it("is permutation equivariant and its gradients match finite differences", () => {
    const gat = new nn.GraphAttention(3, 2, { key, heads: 2, dtype: "float64" });
    const perm = [5, 3, 1, 0, 2, 4];
    const p = permute(g, perm);
    const out = nested(gat.forward(g.nodes, g.edgeIndex)) as M, outP = nested(gat.forward(p.nodes, p.edgeIndex)) as M;
    out.forEach((row, i) => expectAllClose(outP[perm[i]!]!, row, 1e-13, 1e-14));
    const small = randomGraph(9, 4, 6);
    const R = randn64([4, 4], 10);
    checkTreeGrad((t: { m: typeof gat; x: fx.Tensor }) => t.m.forward(t.x, small.edgeIndex).mul(R).sum(), { m: gat, x: small.nodes });
  });
});

describe("GravNet", () => {
  it("matches its definition: kNN in the learned space, exp(-10 d²) weights, mean and max", () => {
    const layer = new nn.GravNet(3, 4, { key, spaceDim: 2, propagateDim: 3, k: 3, dtype: "float64" });
    const x = randn64([9, 3], 11);
    const { output, neighbors } = layer.forwardWithNeighbors(x);
    const X = nested(x) as M;
    const s = X.map((v) => lin(nested(layer.lin_s.weight), nested(layer.lin_s.bias!), v));
    const f = X.map((v) => lin(nested(layer.lin_h.weight), nested(layer.lin_h.bias!), v));
    const d2 = (i: number, j: number) => s[i]!.reduce((a, v, c) => a + (v - s[j]![c]!) ** 2, 0);
    const ref = X.map((xi, i) => {
      const nbr = X.map((_, j) => j).filter((j) => j !== i).sort((a, b) => d2(i, a) - d2(i, b)).slice(0, 3);
      expect((neighbors.toArray() as number[][])[i]).toEqual(nbr);
      const msgs = nbr.map((j) => f[j]!.map((v) => v * Math.exp(-10 * d2(i, j))));
      const mean = f[0]!.map((_, c) => msgs.reduce((a, m) => a + m[c]!, 0) / msgs.length);
      const max = f[0]!.map((_, c) => Math.max(...msgs.map((m) => m[c]!)));
      const o1 = lin(nested(layer.lin_out1.weight), null, xi), o2 = lin(nested(layer.lin_out2.weight), nested(layer.lin_out2.bias!), [...mean, ...max]);
      return o1.map((v, c) => v + o2[c]!);
    });
    expectAllClose(flat(output.toArray()), flat(ref), 1e-12, 1e-13);
  });

  it("clouds in a batch only see their own points", () => {
    const layer = new nn.GravNet(3, 4, { key, k: 2, dtype: "float64" });
    const a = randn64([5, 3], 12), b = randn64([4, 3], 13);
    const together = layer.forward(fx.concatenate([a, b]), [5, 4]);
    const apart = fx.concatenate([layer.forward(a), layer.forward(b)]);
    expectAllClose(together.data(), apart.data(), 1e-13, 1e-14);
  });

  it("gradients reach the learned coordinates through the distance weights (finite differences)", () => {
    const layer = new nn.GravNet(2, 2, { key, spaceDim: 2, propagateDim: 2, k: 2, dtype: "float64" });
    const x = randn64([5, 2], 14), R = randn64([5, 2], 15);
    const g = fx.grad((m: typeof layer) => m.forward(x).mul(R).sum())(layer);
    expect(Math.max(...flat(g.lin_s.weight.toArray()).map(Math.abs))).toBeGreaterThan(1e-6);
    checkTreeGrad((m: typeof layer) => m.forward(x).mul(R).sum(), layer, 1e-5);
  });
});
