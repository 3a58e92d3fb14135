/**
 * Runs every example in this folder, one after another, in one process.
 * This is what `npm start` runs.
 *
 *   npx tsx examples/run-all.ts
 */
import { main as traceTables } from "./autodiff-trace-tables.js";
import { main as gradBasics } from "./grad-basics.js";
import { main as jaxWorkshop } from "./jax-workshop.js";
import { main as softmax } from "./softmax.js";
import { isMain } from "./is-main.js";

export const examples: [string, () => unknown][] = [
  ["autodiff-trace-tables", traceTables],
  ["grad-basics", gradBasics],
  ["jax-workshop", jaxWorkshop],
  ["softmax", softmax],
];

export function main(): void {
  for (const [name, run] of examples) {
    console.log(`\n=== examples/${name}.ts ${"=".repeat(Math.max(0, 60 - name.length))}\n`);
    run();
  }
}

if (isMain(import.meta.url)) main();
