/**
 * The trace tables of automatic differentiation, for
 *
 *   y(x0, x1) = 2·x0 + x0·sin(x1) + x1³   at (x0, x1) = (1, 2)
 *
 * Forward mode carries a tangent v̇ alongside every value (seed ẋ0 = 1 to get
 * ∂y/∂x0); reverse mode runs the trace backwards with adjoints v̄ (seed ȳ = 1
 * to get the whole gradient in one sweep). Expected: y = 10.9093,
 * ∂y/∂x0 = 2.9093, ∇y = (2.9093, 11.5839).
 *
 *   npx tsx examples/autodiff-trace-tables.ts
 */
import * as fx from "../src/index.js";
import { isMain } from "./is-main.js";

export const y = (x0: fx.Tensor, x1: fx.Tensor) => x0.mul(2).add(x0.mul(x1.sin())).add(x1.pow(3));

export function main() {
  const forward = fx.traceTable(y, [1, 2], { mode: "forward", wrt: 0 });
  console.log();
  const reverse = fx.traceTable(y, [1, 2], { mode: "reverse" });
  console.log();
  // The same numbers from the everyday API.
  const [g0, g1] = fx.grad(y, { argnums: [0, 1] })(fx.tensor(1, { dtype: "float64" }), fx.tensor(2, { dtype: "float64" })) as fx.Tensor[];
  console.log(`fx.grad agrees: (${g0!.item().toFixed(4)}, ${g1!.item().toFixed(4)})`);
  return {
    value: forward.value as number,
    dydx0: forward.derivative as number,
    gradient: reverse.derivative as number[],
    gradFromGrad: [g0!.item(), g1!.item()],
  };
}

if (isMain(import.meta.url)) main();
