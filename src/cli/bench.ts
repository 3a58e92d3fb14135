/**
 * `fluxion bench`: runs the benchmark suite (bench/all.ts) of a source
 * checkout in a child process. The benchmarks compare against peers that are
 * dev dependencies (TensorFlow.js, jax-js) and PyTorch, so an installed
 * package without its bench/ directory says so instead.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { ValueError } from "../core/errors.js";
import { packageRoot } from "./version.js";

export function registerBench(program: Command): void {
  program
    .command("bench")
    .description("run the benchmarks B1–B5 against TensorFlow.js, jax-js and PyTorch (a source checkout with dev dependencies)")
    .option("--quick", "shorter runs")
    .option("--only <ids>", "comma-separated benchmark ids: B1, B4a, B4b, B2, B3, B5")
    .option("--vs <peers>", "peers to compare with, comma-separated: tfjs, jax-js, pytorch (default all)")
    .option("--json", "print the figures as one JSON document (tables go to stderr)")
    .option("--out <file>", "where the B4b and B5 figures go (default bench/results-all.json)")
    .action((opts: { quick?: boolean; only?: string; out?: string; vs?: string; json?: boolean }) => {
      const root = packageRoot() ?? ".";
      const script = join(root, "bench", "all.ts");
      if (!existsSync(script)) throw new ValueError(`bench: ${script} is missing; the benchmarks run from a source checkout (git clone, npm install)`);
      const args = ["--import", "tsx", script, ...(opts.quick ? ["--quick"] : []), ...(opts.only ? ["--only", opts.only] : []), ...(opts.out ? ["--out", opts.out] : []),
        ...(opts.vs ? ["--vs", opts.vs] : []), ...(opts.json ? ["--json"] : [])];
      const run = spawnSync(process.execPath, args, { stdio: "inherit", cwd: root });
      if (run.status !== 0) throw new ValueError(`bench: bench/all.ts exited with ${run.status ?? run.signal} (see the output above)`);
    });
}
