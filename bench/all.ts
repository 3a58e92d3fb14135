/**
 * `npm run bench`: every benchmark of BENCHMARKS.md in one run, each script in
 * its own process (so one peer's memory never counts against another's):
 *
 *   B1, B4a   bench/run.ts            Fluxion vs TensorFlow.js cpu/wasm   → bench/results.json
 *   B4b       bench/overhead.ts       Fluxion eager and jit gradient calls
 *   B2, B3    bench/training.ts       Fluxion vs tfjs, jax-js, PyTorch     → bench/results-training.json
 *   B5        bench/b5-transformer.ts Fluxion vs TensorFlow.js cpu/wasm and jax-js
 *             bench/torch_b5.py       PyTorch on 1 and 2 threads (Debian's python3-torch)
 *
 * Each script prints its own table of medians, spreads and ratios (B5: this
 * one, from both B5 scripts); this one adds the B4b and B5 figures to
 * bench/results-all.json with the machine and the commit.
 *
 *   npm run bench                 # everything (tens of minutes)
 *   npm run bench -- --quick      # shorter runs of each
 *   npm run bench -- --only B1,B5
 *   npm run bench -- --out /tmp/results-all.json
 *   npm run bench -- --vs tfjs    # peers: only TensorFlow.js (also jax-js, pytorch)
 *   npm run bench -- --json       # the tables go to stderr, one JSON document to stdout
 *   npm run bench -- --from-source  # run the .ts files through tsx instead of the tsc build
 *
 * Fluxion is measured as the package ships it, compiled by tsc (bench/paths.ts).
 */
import { execSync, spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { flag, option } from "./args.js";
import { BENCH_DIR, BUILD_DIR, COMPILED, nodeScript, ROOT } from "./paths.js";
import { cpuTimes, stealShare } from "./steal.js";

if (!COMPILED && !flag("--from-source")) process.exit(runCompiled());

/** Compiles src/ and bench/ into .bench-build/ and runs this script from there; its exit status. */
function runCompiled(): number {
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(ROOT, "tsconfig.bench.json")], { stdio: "inherit" });
  if (tsc.status !== 0) return tsc.status ?? 1;
  return spawnSync(process.execPath, [join(BUILD_DIR, "bench", "all.js"), ...process.argv.slice(2)], { stdio: "inherit" }).status ?? 1;
}
const quick = flag("--quick");
const only = option("--only")?.toUpperCase().split(",") ?? null;
const vs = option("--vs")?.split(",") ?? null;
const asJson = flag("--json");
/** Peer labels of bench/training.ts that --vs names (Fluxion always runs). */
const trainingPeers = vs ? ["fluxion", ...vs] : null;
/** Peers of bench/b5-transformer.ts that --vs names. */
const b5Peers = vs ? [...(vs.includes("tfjs") ? ["cpu", "wasm"] : []), ...(vs.includes("jax-js") ? ["jax-js"] : [])] : null;
/** Progress and tables: to stderr under --json so stdout holds only the JSON. */
const say = (line: string) => (asJson ? process.stderr : process.stdout).write(line + "\n");

interface Job {
  ids: string[];
  script: string;
  args: string[];
  /** The script prints one JSON document with --json, kept in results-all.json. */
  json?: boolean;
  /** Run with Debian's Python (PyTorch) instead of Node. */
  python?: boolean;
  /** Peer name for --vs. */
  peer?: string;
}

const PYTHON = "/usr/bin/python3";

const jobs: Job[] = [
  { ids: ["B1", "B4A"], script: "run.ts", args: quick ? ["--quick"] : [] },
  { ids: ["B4B"], script: "overhead.ts", args: ["--json"], json: true }, // 7 runs even with --quick: 3 let one preemption decide B4a's median
  { ids: ["B2", "B3"], script: "training.ts", args: [...(quick ? ["--quick"] : []), ...(trainingPeers ? ["--peers", trainingPeers.join(",")] : [])] },
  { ids: ["B5"], script: "b5-transformer.ts", args: ["--json", "--backends", "wasm", ...(b5Peers ? ["--peers", b5Peers.join(",") || "none"] : []), ...(quick ? ["--steps", "2"] : [])], json: true },
  { ids: ["B5"], script: "torch_b5.py", args: ["--json", ...(quick ? ["--steps", "2"] : [])], json: true, python: true, peer: "pytorch" },
];

function commit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const collected: Record<string, unknown> = {};
/** Steal share per job (see steal.ts), written with the results. */
const stolen: Record<string, number> = {};
let failed = 0;
for (const job of jobs) {
  if (only && !job.ids.some((id) => only.includes(id))) continue;
  if (job.peer && vs && !vs.includes(job.peer)) continue;
  if (job.python && !existsSync(PYTHON)) {
    say(`(skipping bench/${job.script}: ${PYTHON} is missing)`);
    continue;
  }
  say(`\n=== ${job.ids.join(", ")}: bench/${job.script} ${job.args.join(" ")}`);
  const command = job.python ? [PYTHON, join(BENCH_DIR, job.script)] : nodeScript(job.script);
  const before = cpuTimes();
  const run = spawnSync(command[0]!, [...command.slice(1), ...job.args], {
    stdio: job.json ? ["inherit", "pipe", "inherit"] : ["inherit", asJson ? process.stderr : "inherit", "inherit"],
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const steal = stealShare(before, cpuTimes());
  if (steal !== null) {
    say(`(CPU time the hypervisor gave to other guests during bench/${job.script}: ${(100 * steal).toFixed(1)} %)`);
    stolen[job.script] = steal;
  }
  if (run.status !== 0) {
    failed++;
    say(`bench/${job.script} exited with ${run.status ?? run.signal}`);
    continue;
  }
  if (job.json) {
    say(run.stdout);
    collected[job.ids.join("+") + (job.python ? "-pytorch" : "")] = JSON.parse(run.stdout.slice(run.stdout.indexOf("{")));
  }
}

interface B5Run { name: string; stepsPerSecond: number; stepsPerCpuSecond: number; firstLoss?: number }

/** B5's table: every implementation of both B5 scripts with Fluxion's ratio to it (wall and per CPU-second). */
function b5Table(): void {
  const runs = ["B5", "B5-pytorch"].flatMap((id) => (collected[id] as { results?: B5Run[] } | undefined)?.results ?? []);
  const ours = runs.find((r) => r.name.startsWith("Fluxion"));
  if (!ours) return;
  say(`\nB5 transformer block\n| implementation | steps/s (wall) | steps per CPU-second | Fluxion ÷ this (wall) | Fluxion ÷ this (CPU) | loss at step 1 |\n|---|---:|---:|---:|---:|---:|`);
  for (const r of runs) {
    const ratio = (a: number, b: number) => (r === ours ? "—" : `${(a / b).toFixed(2)}×`);
    say(`| ${r.name} | ${r.stepsPerSecond.toPrecision(3)} | ${r.stepsPerCpuSecond.toPrecision(3)} | ${ratio(ours.stepsPerSecond, r.stepsPerSecond)} | ${ratio(ours.stepsPerCpuSecond, r.stepsPerCpuSecond)} | ${r.firstLoss?.toFixed(5) ?? ""} |`);
  }
}
b5Table();

const out = option("--out") ?? join(BENCH_DIR, "results-all.json");
const doc = {
  date: new Date().toISOString(),
  commit: commit(),
  machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, loadEnd: os.loadavg(), stealShareByJob: stolen },
  results: collected,
};
writeFileSync(out, JSON.stringify(doc, null, 2));
say(`\nB4b and B5 figures written to ${out}; B1/B4a in bench/results.json, B2/B3 in bench/results-training.json.`);
if (asJson) console.log(JSON.stringify(doc, null, 2));
process.exitCode = failed ? 1 : 0;
