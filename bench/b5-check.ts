/**
 * Checks that B5's implementations compute the same thing: runs
 * bench/b5-transformer.ts (all of them start from Fluxion's weights, input
 * and target) and compares every step's loss of each peer with Fluxion's.
 * After a few Adam steps float32 rounding differences stay at the 1e-5
 * level, while a wrong mask, scale, ε or update rule moves the loss by 1e-3
 * or more. Exits with status 1 when a loss differs by more than --rtol.
 *
 *   npx tsx bench/b5-check.ts                       # a small block, 4 steps
 *   npx tsx bench/b5-check.ts --full --peers jax-js # B5's own shape
 */
import { spawnSync } from "node:child_process";
import { flag, option } from "./args.js";
import { nodeScript } from "./paths.js";

interface Run { name: string; losses: number[] }

const rtol = Number(option("--rtol") ?? "2e-4");
const shape = flag("--full") ? [] : ["--batch", "2", "--seq", "8", "--width", "16", "--hidden", "64"];
const args = [...shape, "--steps", option("--steps") ?? "3", "--backends", option("--backends") ?? "wasm", "--peers", option("--peers") ?? "cpu,wasm,jax-js", "--json"];
const [node, ...script] = nodeScript("b5-transformer.ts");
const run = spawnSync(node!, [...script, ...args], { encoding: "utf8", stdio: ["inherit", "pipe", "inherit"] });
if (run.status !== 0) throw new Error(`b5-check: bench/b5-transformer.ts ${args.join(" ")} exited with ${run.status ?? run.signal}`);
const { results } = JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as { results: Run[] };
const ours = results.find((r) => r.name.startsWith("Fluxion"));
if (!ours) throw new Error("b5-check: no Fluxion result");
console.log(`${ours.name}: losses ${ours.losses.map((l) => l.toFixed(6)).join(", ")}`);
let bad = 0;
for (const peer of results.filter((r) => r !== ours)) {
  const rel = peer.losses.map((l, i) => Math.abs(l - ours.losses[i]!) / Math.abs(ours.losses[i]!));
  const worst = Math.max(...rel);
  const ok = peer.losses.length === ours.losses.length && worst <= rtol;
  if (!ok) bad++;
  console.log(`${ok ? "ok  " : "FAIL"} ${peer.name}: losses ${peer.losses.map((l) => l.toFixed(6)).join(", ")}; largest relative difference ${worst.toExponential(2)} (tolerance ${rtol})`);
}
process.exitCode = bad ? 1 : 0;
