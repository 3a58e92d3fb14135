import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

describe("seed examples", () => {
  it("grad of (x - y)^2 at (5, 2) is 6", () => {
    expect(fx.grad((x: fx.Tensor, y: fx.Tensor) => x.sub(y).pow(2))(5, 2).item()).toBe(6);
  });
  it("gradient of 2·x0 + x0·sin(x1) + x1³ at (1, 2)", () => {
    const f = (x0: fx.Tensor, x1: fx.Tensor) => x0.mul(2).add(x0.mul(x1.sin())).add(x1.pow(3));
    const x0 = fx.tensor(1, { dtype: "float64" }), x1 = fx.tensor(2, { dtype: "float64" });
    const [g0, g1] = fx.grad(f, { argnums: [0, 1] })(x0, x1) as fx.Tensor[];
    expect(f(x0, x1).item()).toBeCloseTo(10.9093, 4);
    expect(g0!.item()).toBeCloseTo(2.9093, 4);
    expect(g1!.item()).toBeCloseTo(11.5839, 4);
  });
});
