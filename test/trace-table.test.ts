import { afterEach, describe, expect, it, vi } from "vitest";
import * as fx from "../src/index.js";

// The seed's worked example: y = 2·x0 + x0·sin(x1) + x1³ at (1, 2).
const f = (x0: fx.Tensor, x1: fx.Tensor) => x0.mul(2).add(x0.mul(x1.sin())).add(x1.pow(3));
const exact = {
  value: 2 + Math.sin(2) + 8,
  d0: 2 + Math.sin(2),
  d1: Math.cos(2) + 12,
};

afterEach(() => vi.restoreAllMocks());

describe("traceTable, forward mode (seed example)", () => {
  const t = fx.traceTable(f, [1, 2], { mode: "forward", print: false });

  it("has the value and the derivative along x0", () => {
    expect(t.value as number).toBeCloseTo(10.9093, 4);
    expect(t.value as number).toBeCloseTo(exact.value, 12);
    expect(t.derivative as number).toBeCloseTo(2.9093, 4);
    expect(t.derivative as number).toBeCloseTo(exact.d0, 12);
    expect(t.adjoint).toBeNull();
  });

  it("lists one primal row per primitive with inline constants", () => {
    expect(t.primal.map((r) => `${r.lhs} = ${r.expr}`)).toEqual([
      "v0 = x0", "v1 = x1", "v2 = 2·v0", "v3 = sin(v1)", "v4 = v0·v3", "v5 = v2 + v4", "v6 = v1^3", "v7 = v5 + v6", "y = v7",
    ]);
    expect(t.primal.map((r) => r.kind)).toEqual(["input", "input", "op", "op", "op", "op", "op", "op", "output"]);
    expect(t.primal.filter((r) => r.kind === "op").map((r) => r.primitive)).toEqual(["mul", "sin", "mul", "add", "pow", "add"]);
    const values = t.primal.map((r) => r.value as number);
    const expected = [1, 2, 2, Math.sin(2), Math.sin(2), 2 + Math.sin(2), 8, exact.value, exact.value];
    values.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it("lists the tangent of every row, with the seed's formulas", () => {
    const tan = t.tangent!;
    expect(tan).toHaveLength(t.primal.length);
    expect(tan.map((r) => `${r.lhs} = ${r.expr}`)).toEqual([
      "v̇0 = ẋ0", "v̇1 = ẋ1", "v̇2 = 2·v̇0", "v̇3 = v̇1·cos(v1)", "v̇4 = v̇0·v3 + v0·v̇3", "v̇5 = v̇2 + v̇4", "v̇6 = 3·v̇1·v1^2", "v̇7 = v̇5 + v̇6", "ẏ = v̇7",
    ]);
    const expected = [1, 0, 2, 0, Math.sin(2), 2 + Math.sin(2), 0, exact.d0, exact.d0];
    tan.forEach((r, i) => expect(r.value as number).toBeCloseTo(expected[i]!, 12));
  });

  it("seeds another input with wrt", () => {
    const t1 = fx.traceTable(f, [1, 2], { mode: "forward", wrt: 1, print: false });
    expect(t1.derivative as number).toBeCloseTo(11.5839, 4);
    expect(t1.derivative as number).toBeCloseTo(exact.d1, 12);
    expect(t1.tangent![1]!.value).toBe(1);
    expect(t1.tangent![0]!.value).toBe(0);
  });

  it("renders aligned columns with both traces side by side", () => {
    const lines = t.toString().split("\n");
    expect(lines[0]).toContain("ẋ0 = 1");
    const sinLine = lines.find((l) => l.startsWith("v3 = sin(v1)"))!;
    expect(sinLine).toContain("0.9093");
    expect(sinLine).toContain("v̇3 = v̇1·cos(v1)");
    // The tangent column starts at the same display column on every row (combining dots take no column).
    const displayColumn = (l: string) => l.slice(0, l.search(/v\u0307|\u1e8f/)).replace(/[\u0300-\u036f]/g, "").length;
    const starts = lines.slice(2).map(displayColumn);
    expect(starts.every((c) => c > 10)).toBe(true);
    expect(new Set(starts).size).toBe(1);
    expect(lines.at(-1)).toMatch(/^y = v7\s+10\.9093\s+ẏ = v̇7\s+2\.9093$/);
  });
});

describe("traceTable, reverse mode (seed example)", () => {
  const t = fx.traceTable(f, [1, 2], { mode: "reverse", names: ["x0", "x1"], print: false });

  it("has the gradient (2.9093, 11.5839)", () => {
    const [g0, g1] = t.derivative as number[];
    expect(g0).toBeCloseTo(2.9093, 4);
    expect(g1).toBeCloseTo(11.5839, 4);
    expect(g0).toBeCloseTo(exact.d0, 12);
    expect(g1).toBeCloseTo(exact.d1, 12);
    expect(t.tangent).toBeNull();
  });

  it("walks the adjoints from ȳ = 1 back to the inputs", () => {
    const adj = t.adjoint!;
    // seed + one contribution per (primitive, variable operand) + one row per input.
    expect(adj).toHaveLength(1 + 9 + 2);
    expect(adj[0]).toMatchObject({ kind: "seed", lhs: "v̄7", expr: "ȳ", value: 1 });
    expect(adj.slice(1, 10).every((r) => r.op === "+=")).toBe(true);
    const sinRow = adj.find((r) => r.primitive === "sin")!;
    expect(sinRow.lhs).toBe("v̄1");
    expect(sinRow.expr).toBe("v̄3·∂v3/∂v1");
    expect(sinRow.detail).toBe("v̄3·cos(v1)");
    expect(sinRow.value as number).toBeCloseTo(Math.cos(2), 12);
    expect(sinRow.total as number).toBeCloseTo(exact.d1, 12);
    const powRow = adj.find((r) => r.primitive === "pow")!;
    expect(powRow.detail).toBe("v̄6·3·v1^2");
    expect(powRow.value).toBe(12);
    expect(adj.slice(-2).map((r) => `${r.lhs} = ${r.expr}`)).toEqual(["x̄0 = v̄0", "x̄1 = v̄1"]);
  });

  it("accumulates: each total is the sum of the contributions so far", () => {
    const running = new Map<string, number>();
    for (const r of t.adjoint!.filter((r) => r.op === "+=")) {
      const next = (running.get(r.lhs) ?? 0) + (r.value as number);
      running.set(r.lhs, next);
      expect(r.total as number).toBeCloseTo(next, 12);
    }
    expect(running.get("v̄0")).toBeCloseTo(exact.d0, 12);
  });

  it("renders the primal and adjoint sections", () => {
    const s = t.toString();
    expect(s).toContain("v̄1 += v̄3·∂v3/∂v1");
    expect(s).toMatch(/x̄1 = v̄1\s+11\.5839/);
    expect(s).toMatch(/y = v7\s+10\.9093/);
  });
});

describe("traceTable on tensors and other functions", () => {
  it("agrees with grad for a matrix function", () => {
    const W = fx.tensor([[1, 0.5], [0, -1], [2, 1]], { dtype: "float64" });
    const x = fx.tensor([0.3, -0.7], { dtype: "float64" });
    const g = (x: fx.Tensor, W: fx.Tensor) => fx.tanh(W.matmul(x)).sum();
    const t = fx.traceTable(g, [x, W], { print: false });
    const [gx, gW] = fx.grad(g, { argnums: [0, 1] })(x, W) as fx.Tensor[];
    const [tx, tW] = t.derivative as number[][];
    tx!.forEach((v, i) => expect(v).toBeCloseTo((gx!.toArray() as number[])[i]!, 12));
    (tW as unknown as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo((gW!.toArray() as number[][]).flat()[i]!, 12));
    expect(t.primal.some((r) => r.expr === "v1 @ v2")).toBe(true);
    expect(t.adjoint!.some((r) => r.detail === "v̄3 @ v2ᵀ")).toBe(true);
    expect(t.adjoint!.some((r) => r.detail === "v̄5·(1 - v5^2)")).toBe(true);
  });

  it("forward mode agrees with jvp for a chain of unary ops", () => {
    const h = (x: fx.Tensor) => x.sigmoid().mul(x.sqrt()).div(x.exp().add(1)).log();
    const t = fx.traceTable(h, [0.7], { mode: "forward", print: false });
    const [, dy] = fx.jvp(h, [fx.tensor(0.7, { dtype: "float64" })], [fx.tensor(1, { dtype: "float64" })]);
    expect(t.derivative as number).toBeCloseTo((dy as fx.Tensor).item(), 12);
    expect(t.primal.map((r) => r.primitive).filter(Boolean)).toEqual(["logistic", "sqrt", "mul", "exp", "add", "div", "log"]);
    expect(t.tangent!.find((r) => r.primitive === "logistic")!.expr).toBe("v̇0·v1·(1 - v1)");
  });

  it("shows a non-scalar constant as its own row", () => {
    const t = fx.traceTable((x: fx.Tensor) => x.mul(fx.tensor([1, 2, 3], { dtype: "float64" })).sum(), [[4, 5, 6]], { print: false });
    expect(t.primal[1]).toMatchObject({ kind: "const", lhs: "c0", value: [1, 2, 3] });
    expect(t.primal.some((r) => r.expr === "v0·c0")).toBe(true);
    expect(t.derivative).toEqual([[1, 2, 3]]);
    expect(t.value).toBe(32);
  });

  it("falls back to symbolic partials for primitives without a formula (a fori loop)", () => {
    // x·x·x computed by a loop primitive: d/dx x³ = 3x² = 12 at x = 2.
    const cube = (x: fx.Tensor) => fx.fori(0, 3, (_i: unknown, c: fx.Tensor) => c.mul(x), fx.tensor(1, { dtype: "float64" }));
    const rev = fx.traceTable(cube, [2], { print: false });
    const fwd = fx.traceTable(cube, [2], { mode: "forward", print: false });
    expect(rev.value).toBe(8);
    expect(rev.derivative).toEqual([12]);
    expect(fwd.derivative).toBe(12);
    const loopRow = rev.primal.find((r) => r.primitive === "scan")!;
    expect(loopRow.expr).toMatch(/^scan\(v0, .*body=…/);
    expect(rev.adjoint!.find((r) => r.primitive === "scan")!.detail).toMatch(/^v̄\d+·∂v\d+\/∂v0$/);
    expect(fwd.tangent!.find((r) => r.primitive === "scan")!.expr).toMatch(/^∂v\d+\/∂v0·v̇0$/);
  });

  it("prints unless print is false", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    fx.traceTable(f, [1, 2], { print: false });
    expect(log).not.toHaveBeenCalled();
    const t = fx.traceTable(f, [1, 2]);
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]![0]).toBe(t.toString());
  });

  it("rejects bad options and untraceable functions", () => {
    expect(() => fx.traceTable(f, [1, 2], { mode: "sideways" as never, print: false })).toThrow(fx.ValueError);
    expect(() => fx.traceTable(f, [1, 2], { mode: "forward", wrt: 2, print: false })).toThrow(/wrt 2 is out of range/);
    expect(() => fx.traceTable((a: fx.Tensor) => [a.sin(), a.cos()], [1], { print: false })).toThrow(fx.TransformError);
    expect(() => fx.traceTable((a: fx.Tensor) => (a.item() > 0 ? a : a.neg()), [1], { print: false })).toThrow(fx.ConcretizationError);
    expect(() => fx.traceTable(f, [1, "2"], { print: false })).toThrow(/argument 1 must be a number/);
  });
});
