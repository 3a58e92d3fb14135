/**
 * The first example of the JAX workshop, in Fluxion:
 *
 *   f(x, y) = (x − y)²,   ∂f/∂x = 2(x − y),   so grad(f)(5, 2) = 6.
 *
 * Then `jit`: the function is traced once (its input signature does not
 * change) and the cached program is replayed on every call of the loop.
 *
 *   npx tsx examples/grad-basics.ts
 */
import * as fx from "../src/index.js";
import { isMain } from "./is-main.js";

/** Written with the free functions, so plain JS numbers are accepted too (as in the workshop). */
export const f = (x: fx.ArrayLike, y: fx.ArrayLike) => fx.pow(fx.sub(x, y), 2);

export function main() {
  const df = fx.grad(f);
  const slope = df(5, 2).item();
  console.log(`grad(f)(5, 2) = ${slope}`);

  const fJit = fx.jit(f);
  let total = 0;
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) total += fJit(i, 2).item();
  const ms = performance.now() - t0;
  console.log(`sum over i < 1000 of f_jit(i, 2) = ${total}  (1000 calls in ${ms.toFixed(1)} ms, traced ${fJit.cacheSize} time)`);
  console.log("the traced program:");
  console.log(fJit.trace(0, 2).toString());

  // grad composes with jit: the derivative as a compiled function.
  const dfJit = fx.jit(fx.grad(f));
  const slopes = [0, 1, 2, 3].map((x) => dfJit(x, 2).item());
  console.log(`jit(grad(f))(x, 2) for x = 0..3: ${slopes.join(", ")}`);
  return { slope, total, cacheSize: fJit.cacheSize, slopes };
}

if (isMain(import.meta.url)) main();
