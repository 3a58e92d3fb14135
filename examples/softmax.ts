/**
 * Softmax turns logits into probabilities:  softmax(z)_i = e^(z_i) / Σ_j e^(z_j).
 *
 *   softmax([1, 2, 3]) ≈ [0.090, 0.245, 0.665]
 *   softmax([2, 4, 6]) ≈ [0.0159, 0.1173, 0.8668]   (not scale invariant: differences are amplified;
 *                                                    the slide rounds the last one to 0.8670)
 *
 * Written naively, e^1000 overflows to Infinity and the result is NaN.
 * fx.softmax subtracts max(z) first (the result is the same, since the
 * factor e^(−max) cancels), so it is finite for logits of any magnitude.
 *
 *   npx tsx examples/softmax.ts
 */
import * as fx from "../src/index.js";
import { isMain } from "./is-main.js";

const naiveSoftmax = (z: fx.Tensor) => z.exp().div(z.exp().sum());
const show = (t: fx.Tensor, digits: number) => `[${(t.toArray() as number[]).map((v) => v.toFixed(digits)).join(", ")}]`;

export function main() {
  const p123 = fx.softmax(fx.tensor([1, 2, 3]));
  const p246 = fx.softmax(fx.tensor([2, 4, 6]));
  console.log(`softmax([1, 2, 3]) = ${show(p123, 3)}`);
  console.log(`softmax([2, 4, 6]) = ${show(p246, 4)}`);
  console.log(`each sums to 1: ${p123.sum().item().toFixed(6)}, ${p246.sum().item().toFixed(6)}`);

  const big = fx.tensor([1000, 1001, 1002]);
  const naive = naiveSoftmax(big);
  const stable = fx.softmax(big);
  console.log(`\nlogits [1000, 1001, 1002]:`);
  console.log(`  naive e^z / Σ e^z  = ${show(naive, 3)}   (e^1000 overflows)`);
  console.log(`  fx.softmax         = ${show(stable, 3)}   (same as softmax([0, 1, 2]))`);
  const huge = fx.tensor([-1e4, 0, 1e4]);
  const logp = fx.logSoftmax(huge);
  const g = fx.grad((z: fx.Tensor) => fx.logSoftmax(z).slice(1).sum())(huge);
  console.log(`  logSoftmax([-1e4, 0, 1e4]) = ${show(logp, 1)}, its gradient is finite: ${show(g, 1)}`);
  return {
    p123: p123.toArray() as number[],
    p246: p246.toArray() as number[],
    naive: naive.toArray() as number[],
    stable: stable.toArray() as number[],
    logp: logp.toArray() as number[],
    grad: g.toArray() as number[],
  };
}

if (isMain(import.meta.url)) main();
