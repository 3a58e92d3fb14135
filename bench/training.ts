/**
 * Training benchmarks B2 (MLP) and B3 (CNN) of BENCHMARKS.md, side by side:
 * Fluxion (reference backend, and wasm on 1 and 2 threads when registered),
 * TensorFlow.js (cpu, wasm), jax-js (wasm device) and PyTorch (1 and 2
 * threads). Each peer runs in its own process so its peak RSS is its own.
 * Prints a markdown table of medians, [min–max] spreads, ratios and peak
 * memory, and appends the run to bench/results-training.json.
 *
 *   npx tsx bench/training.ts                  # B2: one epoch's worth of steps (468); B3: 50 steps
 *   npx tsx bench/training.ts --full           # B2: 3 epochs with test accuracy after 1 and 3
 *   npx tsx bench/training.ts --quick          # B2 50 steps, B3 10 steps, 60 s budget per peer
 *   npx tsx bench/training.ts --only b2 --full --train-examples 6000   # quick accuracy check on a tenth
 *   npx tsx bench/training.ts --only b3 --peers fluxion,pytorch --steps 100 --b3-steps 20 --budget 300 --rounds 2
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as fx from "../src/index.js";
import { flag, option } from "./args.js";
import { BENCH_DIR, nodeScript, ROOT } from "./paths.js";
import { hasThreads } from "./workloads/common/fluxion-setup.js";
import { median, type WorkloadOptions, type WorkloadResult } from "./workloads/common/types.js";
import type { RunRequest } from "./workloads/run-one.js";

const RESULTS = join(BENCH_DIR, "results-training.json");
const PYTHON = "/usr/bin/python3";

const quick = flag("--quick");
const full = flag("--full");
const only = option("--only")?.split(",") ?? ["b2", "b3"];
const peerFilter = option("--peers")?.split(",");
const rounds = Number(option("--rounds") ?? 1);
const budgetSeconds = Number(option("--budget") ?? (quick ? 60 : 180));
const b2Steps = Number(option("--steps") ?? (quick ? 50 : 468));
const b3Steps = Number(option("--b3-steps") ?? (quick ? 10 : 50));
const warmup = Number(option("--warmup") ?? 5);
const trainExamples = option("--train-examples") ? Number(option("--train-examples")) : undefined;

interface Peer {
  /** Label in the table (fluxion-* labels are completed by the child, e.g. with thread counts). */
  label: string;
  kind: "node" | "python";
  /** Key in run-one's NODE_WORKLOADS, or torch_training.py's thread count. */
  key: string;
  backend?: string;
  threads?: number;
}

/** Every peer that can run here; a peer without a workload (tfjs-wasm on B3) is skipped for it. */
function peers(): Peer[] {
  const list: Peer[] = [{ label: "fluxion-reference", kind: "node", key: "fluxion", backend: "reference" }];
  if (fx.backendNames().includes("wasm")) {
    if (hasThreads()) for (const threads of [1, 2]) list.push({ label: `fluxion-wasm-${threads}t`, kind: "node", key: "fluxion", backend: "wasm", threads });
    else list.push({ label: "fluxion-wasm", kind: "node", key: "fluxion", backend: "wasm" });
  }
  list.push(
    { label: "tfjs-cpu", kind: "node", key: "tfjs-cpu" },
    { label: "tfjs-wasm", kind: "node", key: "tfjs-wasm" },
    { label: "jax-js-wasm", kind: "node", key: "jax-js" },
    { label: "pytorch-1t", kind: "python", key: "1" },
    { label: "pytorch-2t", kind: "python", key: "2" },
  );
  return list.filter((p) => !peerFilter || peerFilter.some((f) => p.label.startsWith(f)));
}

const WORKLOADS: Record<string, { name: string; steps: number; nodePeers: string[] }> = {
  b2: { name: "B2 MLP training", steps: b2Steps, nodePeers: ["fluxion", "tfjs-cpu", "tfjs-wasm", "jax-js"] },
  b3: { name: "B3 CNN training", steps: b3Steps, nodePeers: ["fluxion", "tfjs-cpu", "jax-js"] },
};

interface Failure {
  name: string;
  peer: string;
  error: string;
}

function lastJsonLine(stdout: string): WorkloadResult | null {
  const line = stdout.trim().split("\n").reverse().find((l) => l.startsWith("{"));
  return line ? (JSON.parse(line) as WorkloadResult) : null;
}

function runPeer(workload: string, peer: Peer): WorkloadResult | Failure {
  const spec = WORKLOADS[workload]!;
  const opts: WorkloadOptions = {
    steps: spec.steps, warmup, windows: 5, full: full && workload === "b2", budgetSeconds,
    backend: peer.backend, threads: peer.threads, trainExamples,
  };
  // A child that blows far past its budget (say, a hang) is stopped; warm-up and evaluation get generous room.
  const timeout = (full && workload === "b2" ? 4 : 1) * 1000 * (budgetSeconds * 6 + 600);
  const child = peer.kind === "python"
    ? spawnSync(PYTHON, [join(BENCH_DIR, "torch_training.py"), "--workload", workload, "--threads", peer.key, "--steps", String(opts.steps),
        "--warmup", String(warmup), "--windows", String(opts.windows), "--budget", String(budgetSeconds),
        ...(opts.full ? ["--full"] : []), ...(trainExamples ? ["--train-examples", String(trainExamples)] : [])],
      { cwd: ROOT, encoding: "utf8", timeout, maxBuffer: 1 << 26 })
    : spawnSync(process.execPath, [...nodeScript("workloads/run-one.ts").slice(1), JSON.stringify({ workload, peer: peer.key, opts } satisfies RunRequest)],
      { cwd: ROOT, encoding: "utf8", timeout, maxBuffer: 1 << 26 });
  const result = child.status === 0 ? lastJsonLine(child.stdout) : null;
  if (result) return result;
  const why = child.error?.message ?? (child.stderr || child.stdout).trim().split("\n").slice(-3).join(" | ");
  return { name: spec.name, peer: peer.label, error: why || `exit status ${child.status}` };
}

/** Merges rounds of the same peer: samples pooled, notes deduplicated, peak memory the largest. */
function merge(results: WorkloadResult[]): WorkloadResult {
  const first = results[0]!;
  const samples = results.flatMap((r) => r.samples);
  const cpuSamples = results.flatMap((r) => r.cpuSamples ?? []);
  return {
    ...first,
    samples,
    figure: median(samples),
    cpuSamples,
    cpuFigure: median(cpuSamples),
    notes: [...new Set(results.flatMap((r) => r.notes))],
    peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB ?? 0)),
    rssBeforeTrainingMiB: Math.max(...results.map((r) => r.rssBeforeTrainingMiB ?? 0)),
    accuracy: first.accuracy,
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return "—";
  return x >= 100 ? Math.round(x).toLocaleString("en-US") : x.toPrecision(3);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a !== undefined && b !== undefined && b > 0 ? `${(a / b).toFixed(2)}×` : "—";
}

function table(name: string, results: WorkloadResult[], failures: Failure[]): string {
  const byPeer = (prefix: string) => results.filter((r) => r.peer.startsWith(prefix)).map((r) => r.figure);
  const torchBest = byPeer("pytorch").length ? Math.max(...byPeer("pytorch")) : undefined;
  const jax = byPeer("jax-js")[0];
  const lines = [
    `${name} (samples/s: median of windows [min–max]; ratios against PyTorch's best thread count and jax-js in this run;`,
    "per CPU-s: samples per CPU-second of the process, all threads, which other load disturbs less)",
    "",
    "| peer | samples/s | [min–max] | ÷ PyTorch best | ÷ jax-js | per CPU-s | peak RSS (MiB) | RSS before training | test accuracy | notes |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
  ];
  for (const r of results) {
    const acc = r.accuracy?.map((a) => `${(a.value * 100).toFixed(1)}% after ${a.epoch}`).join(", ") ?? "";
    const notes = r.notes.filter((n) => !n.startsWith("data:")).join("; ");
    lines.push(`| ${r.peer} | ${fmt(r.figure)} | ${fmt(Math.min(...r.samples))}–${fmt(Math.max(...r.samples))} | ${ratio(r.figure, torchBest)} | ${ratio(r.figure, jax)} | ${fmt(r.cpuFigure ?? NaN)} | ${r.peakRssMiB?.toFixed(0) ?? "—"} | ${r.rssBeforeTrainingMiB?.toFixed(0) ?? "—"} | ${acc} | ${notes} |`);
  }
  for (const f of failures) lines.push(`| ${f.peer} | failed | | | | | | | | ${f.error.replaceAll("|", "/")} |`);
  const data = results[0]?.notes.find((n) => n.startsWith("data:"));
  if (data) lines.push("", data);
  return lines.join("\n");
}

function machine() {
  const cpu = os.cpus()[0]?.model ?? "unknown";
  let lscpu = cpu;
  try {
    lscpu = spawnSync("lscpu", [], { encoding: "utf8" }).stdout.match(/Model name:\s*(.+)/)?.[1]?.trim() ?? cpu;
  } catch { /* lscpu missing: os.cpus() is enough */ }
  const commit = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  return { cpu: lscpu, cores: os.cpus().length, node: process.version, commit, loadavg: os.loadavg().map((l) => Number(l.toFixed(2))) };
}

async function main(): Promise<void> {
  const started = new Date().toISOString();
  const before = machine();
  console.log(`Training benchmarks — ${started}, ${before.cpu}, ${before.cores} cores, Node ${before.node}, commit ${before.commit}, load ${before.loadavg.join(" ")}`);
  const sections: string[] = [];
  const all: (WorkloadResult | Failure)[] = [];
  for (const workload of only) {
    const spec = WORKLOADS[workload];
    if (!spec) throw new Error(`--only: unknown workload "${workload}" (b2, b3)`);
    const runnable = peers().filter((p) => p.kind === "python" || spec.nodePeers.includes(p.key));
    const perPeer = new Map<string, WorkloadResult[]>();
    const failures: Failure[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const peer of runnable) {
        const t0 = performance.now();
        const r = runPeer(workload, peer);
        const seconds = ((performance.now() - t0) / 1000).toFixed(0);
        if ("error" in r) {
          console.log(`  ${spec.name} ${peer.label}: failed (${r.error}) [${seconds} s]`);
          if (round === 0) failures.push(r);
          continue;
        }
        console.log(`  ${spec.name} ${r.peer}: ${fmt(r.figure)} samples/s [${fmt(Math.min(...r.samples))}–${fmt(Math.max(...r.samples))}], peak RSS ${r.peakRssMiB?.toFixed(0)} MiB [${seconds} s]`);
        perPeer.set(r.peer, [...(perPeer.get(r.peer) ?? []), r]);
      }
    }
    const merged = [...perPeer.values()].map(merge);
    sections.push(table(spec.name, merged, failures));
    all.push(...merged, ...failures);
  }
  const after = machine();
  console.log(`\nload average at the end: ${after.loadavg.join(" ")}\n`);
  console.log(sections.join("\n\n"));

  const history = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, "utf8")) as unknown[]) : [];
  history.push({
    date: started, machine: { ...before, loadavgEnd: after.loadavg },
    options: { full, quick, only, rounds, budgetSeconds, b2Steps, b3Steps, warmup, trainExamples, peers: peerFilter ?? "all" },
    results: all,
  });
  writeFileSync(RESULTS, JSON.stringify(history, null, 1) + "\n");
  console.log(`\nappended to ${RESULTS}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
