/**
 * Runs one training workload for one peer in this process and prints its
 * result as JSON on the last line of stdout, with the process's peak RSS
 * (process.resourceUsage().maxRSS), so each peer's memory is its own.
 *
 *   npx tsx bench/workloads/run-one.ts '{"workload":"b2","peer":"fluxion","opts":{...}}'
 */
import { b2Fluxion } from "./b2-fluxion.js";
import { b2Jaxjs } from "./b2-jaxjs.js";
import { b2Tfjs } from "./b2-tfjs.js";
import { b3Fluxion } from "./b3-fluxion.js";
import { b3Jaxjs } from "./b3-jaxjs.js";
import { b3Tfjs } from "./b3-tfjs.js";
import type { Workload, WorkloadOptions, WorkloadResult } from "./common/types.js";

/** Node peers by workload and peer family; the Fluxion backend and threads travel in the options. */
export const NODE_WORKLOADS: Record<string, Record<string, Workload>> = {
  b2: {
    fluxion: b2Fluxion,
    "tfjs-cpu": (o) => b2Tfjs("cpu", o),
    "tfjs-wasm": (o) => b2Tfjs("wasm", o),
    "jax-js": b2Jaxjs,
  },
  b3: {
    fluxion: b3Fluxion,
    "tfjs-cpu": b3Tfjs,
    "jax-js": b3Jaxjs,
  },
};

export interface RunRequest {
  workload: string;
  peer: string;
  opts: WorkloadOptions;
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? "{}") as RunRequest;
  const run = NODE_WORKLOADS[request.workload]?.[request.peer];
  if (!run) throw new Error(`run-one: no workload "${request.workload}" for peer "${request.peer}"`);
  const result: WorkloadResult = await run(request.opts);
  result.peakRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify(result));
  process.exit(0); // wasm runtimes may keep worker threads alive
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exit(1);
});
