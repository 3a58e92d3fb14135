import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { expectAllClose, flat, rng } from "./support/numeric.js";
import { checkHvp, checkTreeGrad } from "./support/module-grad.js";

const { graph } = fx;
const randn64 = (shape: number[], seed: number) => fx.random.normal(fx.random.key(seed), shape, { dtype: "float64" });
const i32 = (v: number[]) => fx.tensor(v, { dtype: "int32" });

describe("GraphBatch", () => {
  const g0 = { nodes: [[1, 0], [2, 0], [3, 0]], edgeIndex: [[0, 1, 2], [1, 2, 0]], edgeFeatures: [[0.5], [0.25], [1]] };
  const g1 = { nodes: [[4, 1], [5, 1]], edgeIndex: [[1], [0]], edgeFeatures: [[2]] };

  it("stacks nodes, shifts edge indices by node offsets and records graph ids", () => {
    const b = graph.batch([g0, g1]);
    expect(b.numGraphs).toBe(2);
    expect(b.numNodes).toBe(5);
    expect(b.numEdges).toBe(4);
    expect(b.nodeCounts).toEqual([3, 2]);
    expect(b.edgeCounts).toEqual([3, 1]);
    expect(b.nodeOffsets).toEqual([0, 3]);
    expect(b.edgeIndex.toArray()).toEqual([[0, 1, 2, 4], [1, 2, 0, 3]]);
    expect(b.graphIds.toArray()).toEqual([0, 0, 0, 1, 1]);
    expect(b.edgeFeatures!.toArray()).toEqual([[0.5], [0.25], [1], [2]]);
    expect(b.sources.toArray()).toEqual([0, 1, 2, 4]);
    expect(b.maxInDegree).toBe(1);
    expect(graph.batch([{ nodes: [[1], [2]], edgeIndex: [[0, 1, 0], [1, 1, 1]] }]).maxInDegree).toBe(3);
    expect(b.targets.toArray()).toEqual([1, 2, 0, 3]);
  });

  it("unbatch gives the graphs back with their own numbering", () => {
    const parts = graph.batch([g0, g1, g0]).unbatch();
    expect(parts).toHaveLength(3);
    expect(parts[1]!.nodes.toArray()).toEqual(g1.nodes);
    expect(parts[1]!.edgeIndex.toArray()).toEqual(g1.edgeIndex);
    expect(parts[2]!.edgeIndex.toArray()).toEqual(g0.edgeIndex);
    expect(parts[2]!.edgeFeatures!.toArray()).toEqual(g0.edgeFeatures);
  });

  it("is a pytree: jit and tree.map see its tensors and keep its node counts", () => {
    const b = graph.batch([g0, g1]);
    const [leaves] = fx.tree.flatten(b);
    expect(leaves).toHaveLength(4);
    const f = fx.jit((bb: fx.graph.GraphBatch) => graph.meanPool(bb.nodes, bb));
    expect(f(b).toArray()).toEqual([[2, 0], [4.5, 1]]);
    // A batch is data: gradients are taken with respect to other arguments (here its node features).
    const g = fx.grad((x: fx.Tensor, bb: fx.graph.GraphBatch) => graph.sumPool(x, bb).mul(fx.tensor([[1], [2]])).sum())(b.nodes, b);
    expect(g.toArray()).toEqual([[1, 1], [1, 1], [1, 1], [2, 2], [2, 2]]);
    const rebuilt = fx.tree.map((t: fx.Tensor) => t, b);
    expect(rebuilt).toBeInstanceOf(graph.GraphBatch);
    expect(rebuilt.nodeCounts).toEqual([3, 2]);
  });

  it("rejects out-of-range edges, mismatched features and mixed edge features", () => {
    expect(() => graph.batch([{ nodes: [[1], [2]], edgeIndex: [[0, 2], [1, 0]] }])).toThrow(fx.IndexError);
    expect(() => graph.batch([{ nodes: [[1], [2]], edgeIndex: [[0, 2], [1, 0]] }])).toThrow(/graph 0: edge 1 source is node 2, but the graph has 2 nodes/);
    expect(() => graph.batch([g0, { nodes: [[1]], edgeIndex: [[0], [0]], edgeFeatures: [[1]] }])).toThrow(/features must agree after axis 0/);
    expect(() => graph.batch([g0, { nodes: [[1, 2]], edgeIndex: [[0], [0]] }])).toThrow(/either every graph has edgeFeatures or none/);
    expect(() => graph.batch([{ nodes: [[1]], edgeIndex: [[0], [0]], edgeFeatures: [[1], [2]] }])).toThrow(/one row per edge/);
    expect(() => graph.batch([{ nodes: [[1]], edgeIndex: fx.tensor([[0], [0]]) }])).toThrow(/edgeIndex must be int32/);
  });
});

/** Segment reductions by plain loops over rows; empty segments give 0. */
function refSegments(data: number[][], ids: number[], S: number, op: "sum" | "mean" | "max" | "min"): number[][] {
  const F = data[0]!.length;
  return Array.from({ length: S }, (_, s) => {
    const rows = data.filter((_, i) => ids[i] === s);
    if (rows.length === 0) return Array(F).fill(0);
    return Array.from({ length: F }, (_, f) => {
      const col = rows.map((r) => r[f]!);
      if (op === "sum") return col.reduce((a, b) => a + b, 0);
      if (op === "mean") return col.reduce((a, b) => a + b, 0) / col.length;
      return op === "max" ? Math.max(...col) : Math.min(...col);
    });
  });
}

describe("segment reductions", () => {
  const r = rng(1);
  const E = 23, S = 7;
  const ids = Array.from({ length: E }, () => Math.floor(r() * (S - 1))); // segment S−1 stays empty
  ids[5] = 2;
  const idsT = i32(ids);
  const data = randn64([E, 3], 2);
  const rows = data.toArray() as number[][];

  for (const op of ["sum", "mean", "max", "min"] as const) {
    const fn = { sum: graph.segmentSum, mean: graph.segmentMean, max: graph.segmentMax, min: graph.segmentMin }[op];
    it(`segment ${op} matches a loop (empty segments give 0) and its gradient matches finite differences`, () => {
      expectAllClose(flat(fn(data, idsT, S).toArray()), flat(refSegments(rows, ids, S, op)), 1e-14, 1e-14);
      const R = randn64([S, 3], 3);
      checkTreeGrad((d: fx.Tensor) => fn(d, idsT, S).mul(R).sum(), data);
    });
  }

  it("second order: Hessian-vector products of segment softmax and mean match differences of gradients", () => {
    const R = randn64([E, 3], 8);
    checkHvp((d) => graph.segmentSoftmax(d, idsT, S).mul(R).sum().square(), data);
    checkHvp((d) => graph.segmentMean(d.square(), idsT, S).sin().sum(), data);
    checkHvp((d) => graph.segmentMax(d.sin(), idsT, S).square().sum(), data);
  });

  it("segment max sends the gradient to the maximal row of each segment", () => {
    const d = fx.tensor([[1], [5], [3], [2], [9]], { dtype: "float64" });
    const g = fx.grad((x: fx.Tensor) => graph.segmentMax(x, i32([0, 0, 1, 1, 1]), 2).sum())(d);
    expect(flat(g.toArray())).toEqual([0, 1, 0, 0, 1]);
    // A single segment of 1000 rows needs ten doubling steps.
    const long = randn64([1000], 4);
    expect(graph.segmentMax(long, i32(Array(1000).fill(0)), 1).item()).toBe(Math.max(...Array.from(long.data())));
  });

  it("segment softmax sums to one per segment, matches the formula and its gradient", () => {
    const sm = graph.segmentSoftmax(data, idsT, S);
    const exps = rows.map((row) => row.map(Math.exp));
    const totals = refSegments(exps, ids, S, "sum");
    expectAllClose(flat(sm.toArray()), flat(exps.map((row, i) => row.map((v, f) => v / totals[ids[i]!]![f]!))), 1e-13, 1e-15);
    expectAllClose(flat(graph.segmentSum(sm, idsT, S).toArray()), flat(refSegments(rows.map((row) => row.map(() => 1)), ids, S, "max")), 1e-13, 1e-14);
    const big = graph.segmentSoftmax(data.mul(1e3), idsT, S);
    expect(Array.from(big.data()).every(Number.isFinite)).toBe(true);
    const R = randn64([E, 3], 5);
    checkTreeGrad((d: fx.Tensor) => graph.segmentSoftmax(d, idsT, S).mul(R).sum(), data);
  });

  it("vmap over data equals a loop; jit equals eager", () => {
    const batch = randn64([3, E, 2], 6);
    for (const fn of [graph.segmentSum, graph.segmentMax, graph.segmentMean]) {
      const v = fx.vmap((d: fx.Tensor) => fn(d, idsT, S))(batch);
      const loop = fx.stack([0, 1, 2].map((b) => fn(batch.slice(b), idsT, S)));
      expectAllClose(v.data(), loop.data(), 1e-14, 1e-15);
      expectAllClose(fx.jit((d: fx.Tensor) => fn(d, idsT, S))(data).data(), fn(data, idsT, S).data(), 1e-14, 1e-15);
    }
  });

  it("traced ids (under jit): the doubling path, and the padded path with a size bound, equal eager", () => {
    for (const fn of [graph.segmentMax, graph.segmentMin, graph.segmentSoftmax]) {
      const eager = fn(data, idsT, S);
      const doubling = fx.jit((d: fx.Tensor, i: fx.Tensor) => fn(d, i, S));
      const padded = fx.jit((d: fx.Tensor, i: fx.Tensor) => fn(d, i, S, { maxSegmentSize: 8 }));
      expect(Math.max(...refSegments(ids.map(() => [1]), ids, S, "sum").map((r) => r[0]!))).toBeLessThanOrEqual(8);
      expectAllClose(doubling(data, idsT).data(), eager.data(), 1e-14, 1e-15);
      expectAllClose(padded(data, idsT).data(), eager.data(), 1e-14, 1e-15);
      expect(doubling.trace(data, idsT).eqns.length).toBeGreaterThan(padded.trace(data, idsT).eqns.length);
      const R = randn64([...eager.shape], 7);
      const gEager = fx.grad((d: fx.Tensor) => fn(d, idsT, S).mul(R).sum())(data);
      const gTraced = fx.jit(fx.grad((d: fx.Tensor, i: fx.Tensor) => fn(d, i, S).mul(R).sum()))(data, idsT);
      expectAllClose(gTraced.data(), gEager.data(), 1e-13, 1e-14);
    }
    // One segment of 1000 rows: ten doubling steps.
    const long = randn64([1000], 4);
    expect(fx.jit((d: fx.Tensor, i: fx.Tensor) => graph.segmentMax(d, i, 1))(long, i32(Array(1000).fill(0))).item()).toBe(Math.max(...Array.from(long.data())));
    expect(() => graph.segmentMax(data, idsT, S, { maxSegmentSize: 0 })).toThrow(/maxSegmentSize must be a positive integer, got 0/);
    expect(() => fx.jit((d: fx.Tensor, i: fx.Tensor) => graph.segmentMax(d, i, S, { maxSegmentSize: 1.5 }))(data, idsT)).toThrow(/maxSegmentSize must be a positive integer/);
  });

  it("rejects ids of the wrong type or length", () => {
    expect(() => graph.segmentSum(data, fx.tensor(ids), S)).toThrow(/segment ids must be int32, got float32/);
    expect(() => graph.segmentMax(data, i32([0, 1]), S)).toThrow(/data of shape \[23, 3\] needs one segment id per row.*\[2\]/);
  });
});

describe("dense layout, neighbours, readouts", () => {
  it("toDense pads each graph; fromDense drops the padding; both carry gradients", () => {
    const x = fx.tensor([[1], [2], [3], [4], [5]], { dtype: "float64" });
    expect(graph.toDense(x, [2, 3]).toArray()).toEqual([[[1], [2], [0]], [[3], [4], [5]]]);
    expect(graph.fromDense(graph.toDense(x, [2, 3]), [2, 3]).toArray()).toEqual(x.toArray());
    expect(graph.denseMask([2, 3]).toArray()).toEqual([[true, true, false], [true, true, true]]);
    const g = fx.grad((t: fx.Tensor) => graph.toDense(t, [2, 3]).mul(fx.arange(6, undefined, 1, "float64").reshape([2, 3, 1])).sum())(x);
    expect(flat(g.toArray())).toEqual([0, 1, 3, 4, 5]);
  });

  it("knn finds the k nearest points of the same cloud, nearest first", () => {
    const pts = randn64([17, 3], 7);
    const counts = [6, 4, 7];
    const k = 3;
    const nbr = graph.knn(pts, k, { nodeCounts: counts }).toArray() as number[][];
    const P = pts.toArray() as number[][];
    let offset = 0;
    for (const n of counts) {
      for (let i = offset; i < offset + n; i++) {
        const others = Array.from({ length: n }, (_, j) => offset + j).filter((j) => j !== i);
        const dist = (j: number) => P[i]!.reduce((s, v, c) => s + (v - P[j]![c]!) ** 2, 0);
        expect(nbr[i]).toEqual(others.sort((a, b) => dist(a) - dist(b)).slice(0, k));
      }
      offset += n;
    }
    expect(graph.knn(pts, 1, { nodeCounts: counts, loop: true }).toArray()).toEqual(Array.from({ length: 17 }, (_, i) => [i]));
    expect(() => graph.knn(pts, 4, { nodeCounts: counts })).toThrow(/k must be an integer from 1 to 3 \(the smallest graph has 4 points/);
  });

  it("knnGraph and addSelfLoops build edge indices", () => {
    const e = graph.knnGraph(fx.tensor([[0], [1], [3], [10]]), 1);
    expect(e.toArray()).toEqual([[1, 0, 1, 2], [0, 1, 2, 3]]);
    expect(graph.addSelfLoops(e, 4).toArray()).toEqual([[1, 0, 1, 2, 0, 1, 2, 3], [0, 1, 2, 3, 0, 1, 2, 3]]);
  });

  it("sum, mean and max readouts per graph", () => {
    const b = graph.batch([{ nodes: [[1, 5], [3, 2]], edgeIndex: [[0], [1]] }, { nodes: [[7, 0]], edgeIndex: [[0], [0]] }]);
    expect(graph.sumPool(b.nodes, b).toArray()).toEqual([[4, 7], [7, 0]]);
    expect(graph.meanPool(b.nodes, b).toArray()).toEqual([[2, 3.5], [7, 0]]);
    expect(graph.maxPool(b.nodes, b).toArray()).toEqual([[3, 5], [7, 0]]);
  });
});
