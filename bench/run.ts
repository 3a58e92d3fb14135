/**
 * `npm run bench`: B1 (matmul GFLOP/s) and B4a (tiny-op overhead) of
 * BENCHMARKS.md for Fluxion (reference; wasm on 1 and 2 threads) and, in the
 * same run, TensorFlow.js (cpu and wasm backends). Prints medians with
 * [min–max] spreads and ratios, and writes bench/results.json.
 *
 *   npm run bench                 # all
 *   npm run bench -- --quick      # fewer, shorter runs
 *   npm run bench -- --only B1 --sizes 256,1024
 */
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import * as fx from "../src/index.js";
import { loadTf, useTfBackend, type Tf } from "./peers.js";
import { fmt, fmtSample, measure, type Sample } from "./stats.js";
import { flag, option } from "./args.js";
import { BENCH_DIR } from "./paths.js";

const quick = flag("--quick");
const only = option("--only");
const sizes = (option("--sizes") ?? "256,1024,2048").split(",").map(Number);
const budgetMs = quick ? 800 : 3000;

function randomData(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

interface Row {
  workload: string;
  impl: string;
  unit: string;
  sample: Sample | null;
  note?: string;
}

const rows: Row[] = [];

async function fluxionImpls(): Promise<{ name: string; setup: () => void }[]> {
  return [
    { name: "fluxion-reference", setup: () => fx.setBackend("reference") },
    { name: "fluxion-wasm-1t", setup: () => (fx.setBackend("wasm"), fx.setThreads(1)) },
    { name: "fluxion-wasm-2t", setup: () => (fx.setBackend("wasm"), fx.setThreads(2)) },
  ];
}

async function benchB1(tf: Tf | null): Promise<void> {
  for (const n of sizes) {
    const flops = 2 * n ** 3;
    const a = randomData(n * n, 1), b = randomData(n * n, 2);
    const opts = { warmup: n >= 1024 ? 1 : 3, minRuns: n >= 2048 ? 3 : 5, maxRuns: 50, budgetMs };
    for (const impl of await fluxionImpls()) {
      if (impl.name === "fluxion-reference" && n > 1024) {
        rows.push({ workload: `B1 matmul ${n}`, impl: impl.name, unit: "GFLOP/s", sample: null, note: "skipped: minutes per run" });
        continue;
      }
      impl.setup();
      const ta = fx.tensor(a, { shape: [n, n] }), tb = fx.tensor(b, { shape: [n, n] });
      const s = await measure(() => void fx.matmul(ta, tb), flops / 1e9, impl.name === "fluxion-reference" ? { ...opts, warmup: 0, minRuns: 1 } : opts);
      rows.push({ workload: `B1 matmul ${n}`, impl: impl.name, unit: "GFLOP/s", sample: s });
      log(rows[rows.length - 1]!);
    }
    if (!tf) continue;
    for (const backend of ["cpu", "wasm"] as const) {
      const name = `tfjs-${backend}`;
      if (!(await useTfBackend(tf, backend))) {
        rows.push({ workload: `B1 matmul ${n}`, impl: name, unit: "GFLOP/s", sample: null, note: "backend failed to start" });
        continue;
      }
      const ta = tf.tensor2d(a, [n, n]), tb = tf.tensor2d(b, [n, n]);
      const run = () => {
        const c = tf.matMul(ta, tb);
        c.dataSync();
        c.dispose();
      };
      if (backend === "cpu" && n > 1024) {
        rows.push({ workload: `B1 matmul ${n}`, impl: name, unit: "GFLOP/s", sample: null, note: "skipped: minutes per run" });
        ta.dispose();
        tb.dispose();
        continue;
      }
      const s = await measure(run, flops / 1e9, backend === "cpu" && n > 256 ? { ...opts, warmup: 0, minRuns: 1 } : opts);
      rows.push({ workload: `B1 matmul ${n}`, impl: name, unit: "GFLOP/s", sample: s });
      log(rows[rows.length - 1]!);
      ta.dispose();
      tb.dispose();
    }
  }
}

/** B4a: 10,000 sequential elementwise ops (alternating add and multiply) on 100-element arrays. */
async function benchB4a(tf: Tf | null): Promise<void> {
  const OPS = 10_000;
  const x0 = randomData(100, 3).map((v) => 1 + v * 1e-3);
  for (const impl of await fluxionImpls()) {
    impl.setup();
    const x = fx.tensor(x0);
    const s = await measure(() => {
      let y = x;
      for (let i = 0; i < OPS; i++) y = i % 2 ? y.mul(x) : y.add(x);
    }, OPS, { warmup: 2, minRuns: 5, budgetMs });
    rows.push({ workload: "B4a tiny ops", impl: impl.name, unit: "ops/s", sample: s });
    log(rows[rows.length - 1]!);
  }
  if (!tf) return;
  for (const backend of ["cpu", "wasm"] as const) {
    if (!(await useTfBackend(tf, backend))) continue;
    const x = tf.tensor1d(x0);
    const s = await measure(() => {
      tf.tidy(() => {
        let y = x;
        for (let i = 0; i < OPS; i++) y = i % 2 ? tf.mul(y, x) : tf.add(y, x);
        y.dataSync();
      });
    }, OPS, { warmup: 2, minRuns: 5, budgetMs });
    rows.push({ workload: "B4a tiny ops", impl: `tfjs-${backend}`, unit: "ops/s", sample: s });
    log(rows[rows.length - 1]!);
    x.dispose();
  }
}

function log(r: Row): void {
  const cpu = r.sample?.perCpuSecond !== undefined ? `, ${fmt(r.sample.perCpuSecond)} per CPU-s` : "";
  console.error(`  ${r.workload.padEnd(16)} ${r.impl.padEnd(18)} ${fmtSample(r.sample)} ${r.unit}${cpu}${r.note ? ` (${r.note})` : ""}`);
}

function ratio(workload: string, num: string, den: string): number | null {
  const a = rows.find((r) => r.workload === workload && r.impl === num)?.sample;
  const b = rows.find((r) => r.workload === workload && r.impl === den)?.sample;
  return a && b ? a.median / b.median : null;
}

function machine() {
  let commit = "unknown";
  try {
    commit = execSync("git rev-parse --short HEAD", { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    // not a git checkout
  }
  let model = os.cpus()[0]?.model ?? "unknown";
  try {
    model = execSync("lscpu", { encoding: "utf8" }).match(/Model name:\s*(.+)/)?.[1]?.trim() ?? model;
  } catch {
    // no lscpu
  }
  return { date: new Date().toISOString(), cpu: model, cores: os.availableParallelism(), node: process.version, commit, loadavg: os.loadavg() };
}

async function main(): Promise<void> {
  const info = machine();
  const loadBefore = os.loadavg()[0];
  console.error(`Fluxion bench — ${info.date} — ${info.cpu}, ${info.cores} cores, Node ${info.node}, commit ${info.commit}`);
  let tf: Tf | null = null;
  try {
    tf = await loadTf();
  } catch (e) {
    console.error(`TensorFlow.js not available (${(e as Error).message}); running Fluxion only`);
  }
  if (!only || only === "B1") await benchB1(tf);
  if (!only || only === "B4a") await benchB4a(tf);

  const ratios: Record<string, number | null> = {};
  for (const n of sizes) {
    const w = `B1 matmul ${n}`;
    ratios[`${w}: wasm-2t / tfjs-wasm`] = ratio(w, "fluxion-wasm-2t", "tfjs-wasm");
    ratios[`${w}: wasm-1t / tfjs-wasm`] = ratio(w, "fluxion-wasm-1t", "tfjs-wasm");
    ratios[`${w}: wasm-2t / wasm-1t`] = ratio(w, "fluxion-wasm-2t", "fluxion-wasm-1t");
    ratios[`${w}: wasm-1t / reference`] = ratio(w, "fluxion-wasm-1t", "fluxion-reference");
  }
  for (const n of sizes) {
    const w = `B1 matmul ${n}`;
    const a = rows.find((r) => r.workload === w && r.impl === "fluxion-wasm-1t")?.sample?.perCpuSecond;
    const b = rows.find((r) => r.workload === w && r.impl === "tfjs-wasm")?.sample?.perCpuSecond;
    ratios[`${w}: wasm-1t / tfjs-wasm per CPU-second`] = a && b ? a / b : null;
  }
  ratios["B4a: wasm / tfjs-wasm"] = ratio("B4a tiny ops", "fluxion-wasm-1t", "tfjs-wasm");
  ratios["B4a: wasm / tfjs-cpu"] = ratio("B4a tiny ops", "fluxion-wasm-1t", "tfjs-cpu");

  // PyTorch / NumPy figures from bench/torch_bench.py, run beside this one (same machine, minutes apart).
  const torchFile = join(BENCH_DIR, "torch-results.json");
  const torch = existsSync(torchFile) ? (JSON.parse(readFileSync(torchFile, "utf8")) as { machine: { date: string }; rows: Row[] }) : null;
  if (torch) {
    console.error(`including ${torchFile} (${torch.machine.date})`);
    for (const r of torch.rows) if (!only || r.workload.startsWith(only)) rows.push({ ...r, impl: `${r.impl} (python)` });
  }
  for (const n of sizes) {
    const w = `B1 matmul ${n}`;
    ratios[`${w}: wasm-2t / numpy-openblas`] = ratio(w, "fluxion-wasm-2t", "numpy-openblas (python)");
    ratios[`${w}: wasm-1t / torch-1t`] = ratio(w, "fluxion-wasm-1t", "torch-1t (python)");
  }
  ratios["B4a: wasm / torch"] = ratio("B4a tiny ops", "fluxion-wasm-1t", "torch (python)");

  console.log(`\n| workload | impl | median [min–max] | per CPU-second | unit |\n|---|---|---|---|---|`);
  for (const r of rows) {
    const cpu = r.sample?.perCpuSecond !== undefined ? fmt(r.sample.perCpuSecond) : "—";
    console.log(`| ${r.workload} | ${r.impl} | ${r.sample ? fmtSample(r.sample) : r.note ?? "—"} | ${cpu} | ${r.unit} |`);
  }
  console.log(`\n| ratio (medians) | value |\n|---|---|`);
  for (const [k, v] of Object.entries(ratios)) if (v !== null) console.log(`| ${k} | ${fmt(v, 2)}× |`);

  const out = join(BENCH_DIR, "results.json");
  console.error(`load average (1 min): ${loadBefore!.toFixed(1)} at start, ${os.loadavg()[0]!.toFixed(1)} at end, on ${info.cores} cores`);
  writeFileSync(out, JSON.stringify({ machine: { ...info, loadEnd: os.loadavg() }, tfjsWasmThreads: "off (tfjs-backend-wasm disables threads under Node)", rows, ratios, torch }, null, 2));
  console.error(`\nwrote ${out}`);
}

await main();
