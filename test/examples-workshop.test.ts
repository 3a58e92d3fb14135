import { describe, expect, it } from "vitest";
import * as pure from "../examples/mnist-pure.js";
import * as withNn from "../examples/mnist-nn.js";
import * as fx from "../src/index.js";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe("examples reproducing the JAX workshop notebooks", () => {
  it("mnist-pure: hand-written gradient descent lowers the loss in a few steps", () => {
    const lines: string[] = [];
    const { losses, testAccuracy } = pure.run({ epochs: 1, maxSteps: 30, log: (l) => lines.push(l) });
    expect(losses).toHaveLength(30);
    expect(mean(losses.slice(-10))).toBeLessThan(0.7 * mean(losses.slice(0, 10)));
    expect(testAccuracy).toBeGreaterThan(0.5);
    expect(lines.at(-1)).toMatch(/^test accuracy \d+\.\d\d% on 2000 held-out digits$/);
  }, 300_000);

  it("mnist-pure: the vmapped forward pass equals the per-example one and the hand-batched one", () => {
    const params = pure.initParams([784, 16, 10], fx.random.key(5));
    const x = fx.random.uniform(fx.random.key(6), [3, 784]);
    const batched = pure.vmappedForward(params, x);
    const byHand = pure.batchedForward(params, x).toArray() as number[][];
    for (let i = 0; i < 3; i++) {
      const one = pure.forward(params, fx.take(x, fx.tensor([i], { dtype: "int32" }), 0).reshape([784]));
      (one.toArray() as number[]).forEach((v, j) => {
        expect((batched.toArray() as number[][])[i]![j]).toBeCloseTo(v, 5);
        expect(byHand[i]![j]).toBeCloseTo(v, 5);
      });
    }
  });

  it("mnist-nn: nn.MLP + optim.adam lower the loss in a few steps", () => {
    const { losses, testAccuracy } = withNn.run({ epochs: 1, maxSteps: 30, log: () => {} });
    expect(losses).toHaveLength(30);
    expect(mean(losses.slice(-10))).toBeLessThan(0.8 * mean(losses.slice(0, 10)));
    expect(testAccuracy).toBeGreaterThan(0.6);
  }, 300_000);
});
