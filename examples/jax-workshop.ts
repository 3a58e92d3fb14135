/**
 * "Combined together" from the JAX workshop: jit(vmap(grad(grad(f)))).
 *
 * First vmap on its own: f(x, A) = A @ x maps R^n × R^{m×n} → R^m; vmapping
 * over x (inAxes [0, null]) gives R^{b×n} × R^{m×n} → R^{b×m}, one row per x.
 *
 * Then a scalar function with a non-trivial second derivative,
 *
 *   g(x, a) = Σ_j tanh(a_j · x),   g''(x) = Σ_j a_j² · (−2 tanh(a_j x)(1 − tanh²(a_j x))),
 *
 * differentiated twice, vectorized over a batch of x and compiled.
 *
 *   npx tsx examples/jax-workshop.ts
 */
import * as fx from "../src/index.js";
import { isMain } from "./is-main.js";

export const g = (x: fx.Tensor, a: fx.Tensor) => fx.tanh(a.mul(x)).sum();

/** The second derivative written out by hand, to check the transforms against. */
export function g2Exact(x: number, a: number[]): number {
  return a.reduce((s, aj) => {
    const t = Math.tanh(aj * x);
    return s + aj * aj * (-2 * t * (1 - t * t));
  }, 0);
}

export function main() {
  const A = fx.tensor([[1, 2], [3, 4], [5, 6]]);
  const xs = fx.tensor([[1, 0], [0, 1], [1, 1], [2, -1]]);
  const vf = fx.vmap((x: fx.Tensor, M: fx.Tensor) => M.matmul(x), { inAxes: [0, null] });
  const rows = vf(xs, A) as fx.Tensor;
  console.log(`vmap(A @ x) over 4 rows of x: shape [${rows.shape.join(", ")}]`);
  console.log(rows.toString());

  const a = fx.tensor([0.5, -1, 2], { dtype: "float64" });
  const batch = fx.linspace(-1, 1, 5, "float64");
  const d2 = fx.grad(fx.grad(g));
  const vd2 = fx.jit(fx.vmap(d2, { inAxes: [0, null] }));
  const second = (vd2(batch, a) as fx.Tensor).toArray() as number[];
  const xsList = batch.toArray() as number[];
  const aList = a.toArray() as number[];
  console.log("\njit(vmap(grad(grad(g)))) with g(x, a) = Σ tanh(a·x), a = [0.5, -1, 2]:");
  console.log("      x     g''(x)      by hand");
  const exact = xsList.map((x) => g2Exact(x, aList));
  xsList.forEach((x, i) => console.log(`${x.toFixed(2).padStart(7)}  ${second[i]!.toFixed(6).padStart(9)}  ${exact[i]!.toFixed(6).padStart(11)}`));
  console.log(`traced once for this signature: cache size ${vd2.cacheSize}`);
  return { rows: rows.toArray() as number[][], xs: xsList, second, exact };
}

if (isMain(import.meta.url)) main();
