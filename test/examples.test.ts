import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as traceTables from "../examples/autodiff-trace-tables.js";
import * as gradBasics from "../examples/grad-basics.js";
import * as jaxWorkshop from "../examples/jax-workshop.js";
import * as softmax from "../examples/softmax.js";
import * as runAll from "../examples/run-all.js";

// The examples print their results; keep the test output readable.
let log: ReturnType<typeof vi.spyOn>;
beforeAll(() => {
  log = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterAll(() => log.mockRestore());

const printed = () => log.mock.calls.map((c) => String(c[0])).join("\n");

describe("examples", () => {
  it("autodiff-trace-tables: value 10.9093, ∂y/∂x0 = 2.9093, gradient (2.9093, 11.5839)", () => {
    const r = traceTables.main();
    expect(r.value).toBeCloseTo(10.9093, 4);
    expect(r.dydx0).toBeCloseTo(2.9093, 4);
    expect(r.gradient[0]).toBeCloseTo(2.9093, 4);
    expect(r.gradient[1]).toBeCloseTo(11.5839, 4);
    expect(r.gradFromGrad[0]).toBeCloseTo(r.gradient[0]!, 12);
    expect(r.gradFromGrad[1]).toBeCloseTo(r.gradient[1]!, 12);
    expect(printed()).toContain("v̄1 += v̄3·∂v3/∂v1");
  });

  it("grad-basics: grad of (x − y)² at (5, 2) is 6; the jitted loop traces once", () => {
    const r = gradBasics.main();
    expect(r.slope).toBe(6);
    let expected = 0;
    for (let i = 0; i < 1000; i++) expected += (i - 2) ** 2;
    expect(r.total).toBe(expected);
    expect(r.cacheSize).toBe(1);
    expect(r.slopes).toEqual([-4, -2, 0, 2]);
  });

  it("jax-workshop: vmap(A @ x) row by row, and jit(vmap(grad(grad(g)))) against the hand-written g''", () => {
    const r = jaxWorkshop.main();
    expect(r.rows).toEqual([[1, 3, 5], [2, 4, 6], [3, 7, 11], [0, 2, 4]]);
    expect(r.second).toHaveLength(5);
    r.second.forEach((v, i) => expect(v).toBeCloseTo(jaxWorkshop.g2Exact(r.xs[i]!, [0.5, -1, 2]), 10));
    expect(Math.abs(r.second[1]!)).toBeGreaterThan(1); // non-trivial, not all zeros
  });

  it("softmax: [1,2,3] ≈ [0.090, 0.245, 0.665], [2,4,6] ≈ [0.0159, 0.1173, 0.8668], stable for huge logits", () => {
    const r = softmax.main();
    const exact = (z: number[]) => z.map((v) => Math.exp(v) / z.reduce((s, w) => s + Math.exp(w), 0));
    [0.09, 0.245, 0.665].forEach((v, i) => expect(r.p123[i]).toBeCloseTo(v, 3));
    exact([1, 2, 3]).forEach((v, i) => expect(r.p123[i]).toBeCloseTo(v, 5)); // float32
    [0.0159, 0.1173, 0.8668].forEach((v, i) => expect(r.p246[i]).toBeCloseTo(v, 4));
    expect(r.naive.every(Number.isNaN)).toBe(true);
    // float32: logSoftmax subtracts lse ≈ 1002.4 (ULP 6e-5) from the logits, so agreement is to ~1e-4.
    r.stable.forEach((v, i) => expect(v).toBeCloseTo(r.p123[i]!, 4));
    expect(r.logp.every(Number.isFinite)).toBe(true);
    expect(r.logp[2]).toBeCloseTo(0, 6);
    expect(r.grad.every(Number.isFinite)).toBe(true);
  });

  it("run-all runs every example", () => {
    log.mockClear();
    runAll.main();
    const out = printed();
    for (const [name] of runAll.examples) expect(out).toContain(`examples/${name}.ts`);
    expect(runAll.examples).toHaveLength(4);
  });
});
