/**
 * Where the benchmark scripts live and how to start one. `npm run bench`
 * measures Fluxion as the npm package ships it: bench/all.ts compiles src/
 * and bench/ with tsc into .bench-build/ and runs the JavaScript there (tsx,
 * handy for running one script by hand, wraps every function for its names
 * and costs eager code measurably). Compiled or not, results and the Python
 * scripts are read and written in the source tree's bench/ folder.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
/** True when this is the tsc output in .bench-build/bench/. */
export const COMPILED = import.meta.url.endsWith(".js");
export const ROOT = join(HERE, COMPILED ? "../.." : "..");
export const BENCH_DIR = join(ROOT, "bench");
export const BUILD_DIR = join(ROOT, ".bench-build");

/** argv (node and its arguments) that runs the bench script at `relative` (a .ts path under bench/) the way this one runs. */
export function nodeScript(relative: string): string[] {
  if (COMPILED) return [process.execPath, join(HERE, relative.replace(/\.ts$/, ".js"))];
  return [process.execPath, "--import", "tsx", join(HERE, relative)];
}
