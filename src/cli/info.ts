/** `fluxion info`: version, backend, threads, Node and CPU. */
import { availableParallelism, cpus, platform, arch, totalmem } from "node:os";
import type { Command } from "commander";
import { backendNames, getBackend } from "../backend/registry.js";
import { packageVersion } from "./version.js";
import type { Output } from "./output.js";

export function infoLines(): [string, string][] {
  const cpu = cpus()[0];
  const backend = getBackend().name;
  return [
    ["fluxion", packageVersion()],
    ["backend", `${backend} (available: ${backendNames().join(", ")})`],
    ["threads", backend === "reference" ? "1 (the reference backend runs on the main thread)" : String(process.env.FLUXION_THREADS ?? availableParallelism())],
    ["node", process.version],
    ["platform", `${platform()} ${arch()}`],
    ["cpu", `${cpu?.model ?? "unknown"}, ${availableParallelism()} logical cores`],
    ["memory", `${(totalmem() / 2 ** 30).toFixed(1)} GiB`],
  ];
}

export function registerInfo(program: Command, out: Output): void {
  program
    .command("info")
    .description("show the version, backend, threads, Node.js and CPU")
    .option("--json", "print as JSON")
    .action((opts: { json?: boolean }) => {
      const lines = infoLines();
      if (opts.json) out.log(JSON.stringify(Object.fromEntries(lines)));
      else for (const [k, v] of lines) out.log(`${k.padEnd(9)} ${v}`);
    });
}
