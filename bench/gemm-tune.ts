/**
 * Single-thread GEMM kernel variants, timed against each other in one process:
 * each variant is its own Wasm module (own memory) built by `buildGemm`, and
 * the variants run in round-robin so load on a shared machine hits them alike.
 * Reports GFLOP per CPU-second (user + system, `process.cpuUsage`): median and
 * min–max over the rounds. The variants must agree with the first on C.
 *
 *   npx tsx bench/gemm-tune.ts [--rounds 7] [--dtype float32] [--variants 6x8,4x8] [--shapes 512,64x128x9216]
 *
 * `--baseline file.ts` loads another `buildGemm` (say, main's gemm-kernel.ts
 * saved with `git show`); variants prefixed `base:` are built with it, so old
 * and new kernels alternate in one process.
 *
 * A shape is `S` (S×S·S×S) or `MxNxK`, optionally suffixed `:tn` / `:nt` / `:tt`
 * (A and/or B read transposed, as the dense layers' gradients do).
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ModuleBuilder } from "../src/backend/wasm/emitter.js";
import { wasmFeatures } from "../src/backend/wasm/features.js";
import { balancedBlocks, buildGemm, gemmScratch, type GemmShape } from "../src/backend/wasm/gemm-kernel.js";
import { align, gemmShapes } from "../src/backend/wasm/module.js";

interface Variant {
  name: string;
  shape: GemmShape;
  build: typeof buildGemm;
}

interface Problem {
  name: string;
  M: number;
  N: number;
  K: number;
  ta: boolean;
  tb: boolean;
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
}

/** `6x8` or `6x8/kc256/mc72/nc2048`: fields not given come from the current default shape. */
function parseVariant(spec: string, base: GemmShape, baseline: typeof buildGemm | null): Variant {
  const useBaseline = spec.startsWith("base:");
  if (useBaseline && !baseline) throw new Error(`variant ${spec} needs --baseline`);
  const [tile, ...rest] = spec.replace(/^base:/, "").split("/");
  const [mr, nr] = tile!.split("x").map(Number);
  const shape: GemmShape = { ...base, mr: mr!, nr: nr! };
  for (const r of rest) {
    const m = /^(kc|mc|nc)(\d+)$/.exec(r);
    if (!m) throw new Error(`bad variant field ${r} (kc, mc or nc followed by a number)`);
    shape[m[1] as "kc" | "mc" | "nc"] = Number(m[2]);
  }
  shape.mc = Math.ceil(shape.mc / shape.mr) * shape.mr;
  shape.nc = Math.ceil(shape.nc / shape.nr) * shape.nr;
  return { name: spec, shape, build: useBaseline ? baseline! : buildGemm };
}

function parseProblem(spec: string): Problem {
  const [dims, flags = ""] = spec.split(":");
  const parts = dims!.split("x").map(Number);
  const [M, N, K] = parts.length === 1 ? [parts[0]!, parts[0]!, parts[0]!] : parts;
  return { name: spec, M: M!, N: N!, K: K!, ta: flags[0] === "t", tb: flags[1] === "t" };
}

interface Runner {
  /** Runs `reps` times; returns C (a view into the variant's memory). */
  run(p: Problem, reps: number): Float32Array | Float64Array;
}

function makeRunner(v: Variant, problems: Problem[], dtype: GemmShape["dtype"]): Runner {
  const m = new ModuleBuilder();
  const es = dtype === "float32" ? 4 : 8;
  const maxBytes = Math.max(...problems.map((p) => align(p.M * p.K * es) + align(p.K * p.N * es) + align(p.M * p.N * es)));
  const { packA, packB, tile, end: scratch } = gemmScratch(v.shape, 0);
  const pages = Math.ceil((maxBytes + scratch + 65536) / 65536);
  m.importMemory("env", "mem", pages, pages, false);
  v.build(m, v.shape);
  const mem = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(m.bytes()), { env: { mem } });
  const gemm = inst.exports[`gemm_${es === 4 ? "f32" : "f64"}`] as (...a: number[]) => void;
  const base = align(scratch);
  const View = es === 4 ? Float32Array : Float64Array;
  return {
    run(p, reps) {
      const addrA = base, addrB = addrA + align(p.M * p.K * es), addrC = addrB + align(p.K * p.N * es);
      const a = new View(mem.buffer, addrA, p.M * p.K), b = new View(mem.buffer, addrB, p.K * p.N);
      if (a[0] === 0) for (let i = 0; i < a.length; i++) a[i] = ((i * 7) % 13) / 13 - 0.5;
      if (b[0] === 0) for (let i = 0; i < b.length; i++) b[i] = ((i * 5) % 11) / 11 - 0.5;
      const [rsA, csA] = p.ta ? [1, p.M] : [p.K, 1];
      const [rsB, csB] = p.tb ? [1, p.K] : [p.N, 1];
      const { kcb, mcb } = balancedBlocks(v.shape, p.M, p.K);
      for (let r = 0; r < reps; r++) gemm(p.M, p.N, p.K, addrA, rsA, csA, addrB, rsB, csB, addrC, p.N, packA, packB, tile, kcb, mcb);
      return new View(mem.buffer, addrC, p.M * p.N);
    },
  };
}

/** Checks that every variant computes the same C (up to rounding) as the first. */
function checkAgree(runners: Runner[], variants: Variant[], p: Problem): void {
  const ref = runners[0]!.run(p, 1).slice();
  runners.forEach((r, i) => {
    const c = r.run(p, 1);
    let worst = 0;
    for (let j = 0; j < c.length; j++) worst = Math.max(worst, Math.abs(c[j]! - ref[j]!) / (1 + Math.abs(ref[j]!)));
    if (!(worst < 1e-3)) throw new Error(`variant ${variants[i]!.name} disagrees with ${variants[0]!.name} on ${p.name}: ${worst}`);
  });
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;

async function main(): Promise<void> {
  const dtype = arg("dtype", "float32") as GemmShape["dtype"];
  const relaxed = arg("relaxed", "1") === "1" && wasmFeatures().relaxed;
  const baselinePath = arg("baseline", "");
  const baseline = baselinePath ? ((await import(pathToFileURL(resolve(baselinePath)).href)) as { buildGemm: typeof buildGemm }).buildGemm : null;
  const base = gemmShapes(relaxed)[dtype === "float32" ? "f32" : "f64"];
  const variants = arg("variants", dtype === "float32" ? "6x8,4x8,5x8,4x12,3x16" : "6x4,4x4,5x4,4x6,3x8")
    .split(",").map((s) => parseVariant(s, base, baseline));
  const problems = arg("shapes", "256,512,1024,64x128x9216,128x512x784,128x784x512:nt,784x512x128:tn,64x576x288,288x64x36864")
    .split(",").map(parseProblem);
  const rounds = Number(arg("rounds", "7"));
  const minSeconds = Number(arg("min", "0.15"));
  const runners = variants.map((v) => makeRunner(v, problems, dtype));
  for (const p of problems) if (p.M * p.N * p.K <= 1 << 27) checkAgree(runners, variants, p);
  console.log(`dtype ${dtype}, relaxed madd ${relaxed}, ${rounds} rounds; GFLOP per CPU-second, median (min–max)`);
  const header = ["shape", ...variants.map((v) => v.name)];
  console.log(header.join("\t"));
  for (const p of problems) {
    const flops = 2 * p.M * p.N * p.K;
    // Warm up and pick a repetition count that lasts ≥ minSeconds.
    let reps = 1;
    for (const r of runners) r.run(p, 1);
    const t0 = cpuSeconds();
    runners[0]!.run(p, 1);
    const once = Math.max(cpuSeconds() - t0, 1e-4);
    reps = Math.max(1, Math.ceil(minSeconds / once));
    const rates: number[][] = variants.map(() => []);
    for (let round = 0; round < rounds; round++) {
      // Rotate the starting variant so none always runs first.
      for (let j = 0; j < runners.length; j++) {
        const i = (j + round) % runners.length;
        const s = cpuSeconds();
        runners[i]!.run(p, reps);
        rates[i]!.push((flops * reps) / (cpuSeconds() - s) / 1e9);
      }
    }
    const cells = rates.map((r) => `${median(r).toFixed(1)} (${Math.min(...r).toFixed(1)}–${Math.max(...r).toFixed(1)})`);
    console.log([p.name, ...cells].join("\t"));
  }
}

void main();
