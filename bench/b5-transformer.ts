/**
 * B5 of BENCHMARKS.md — one transformer block training step: batch 32,
 * sequence 128, width 256, 4 heads, causal mask, pre-LayerNorm, MLP
 * 256→1024→256 with exact GELU, mean-squared error to a fixed random target,
 * forward + backward + Adam (lr 1e-3). Reported as steps/s (median of the
 * timed steps after one warm-up step), wall-clock and per CPU-second of this
 * process (the machines these run on are shared; CPU time measures the code).
 *
 * Peers in the same run: TensorFlow.js 4.22 with its `cpu` backend and its
 * `wasm` backend (XNNPACK; threads are off under Node), when
 * @tensorflow/tfjs is installed, and jax-js (its wasm device, single-threaded
 * in Node; the step under its `jit`; bench/workloads/b5-jaxjs.ts). The peers'
 * blocks are written the same way: matmul + mask + softmax + matmul attention
 * (neither has a fused attention op that runs here), and start from Fluxion's
 * weights, input and target, so the losses of every step agree (a check that
 * all compute the same block: bench/b5-check.ts).
 *
 *   npx tsx bench/b5-transformer.ts [--steps 3] [--backends reference,wasm] [--peers cpu,wasm,jax-js|none] [--json]
 *   npx tsx bench/b5-transformer.ts --batch 4 --seq 32   # a smaller, quicker shape
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import os from "node:os";
import * as fx from "../src/index.js";
import { b5Problem as problem, b5Start, type B5Problem as Problem, type B5Shape as Shape } from "./workloads/b5-start.js";
import { b5JaxjsStep } from "./workloads/b5-jaxjs.js";

/** `losses`: the loss of every step, warm-up included (the loss before that step's update). */
interface Result { name: string; stepsPerSecond: number; stepsPerCpuSecond: number; seconds: number[]; firstLoss: number; finalLoss: number; losses: number[] }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Times `step` (after `warmup` untimed calls); returns wall and CPU seconds per step. */
interface Timed { wall: number[]; cpu: number[]; losses: number[] }

async function timeSteps(steps: number, warmup: number, step: () => Promise<number> | number): Promise<Timed> {
  const losses: number[] = [];
  for (let i = 0; i < warmup; i++) losses.push(await step());
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    losses.push(await step());
    const c = process.cpuUsage(c0);
    wall.push((performance.now() - t0) / 1000);
    cpu.push((c.user + c.system) / 1e6);
  }
  return { wall, cpu, losses };
}

function toResult(name: string, t: Timed): Result {
  return {
    name, stepsPerSecond: 1 / median(t.wall), stepsPerCpuSecond: 1 / median(t.cpu), seconds: t.wall,
    firstLoss: t.losses[0] ?? NaN, finalLoss: t.losses.at(-1) ?? NaN, losses: t.losses,
  };
}

async function fluxion(backend: string, p: Problem, steps: number): Promise<Result> {
  const { optim, losses } = fx;
  const previous = fx.getBackend().name;
  fx.setBackend(backend);
  // A private copy: the step donates its inputs, and other runs start from p.block too.
  let block = fx.tree.map((t: fx.Tensor) => t.add(0), p.block) as typeof p.block;
  const { x, y } = p;
  const opt = optim.adam(1e-3);
  let state = opt.init(block);
  const loss = (b: typeof block) => losses.mse(b.forward(x), y);
  const step = fx.jit((b: typeof block, st: unknown[]) => {
    const [l, g] = fx.valueAndGrad(loss)(b);
    const [u, st2] = opt.update(g, st, b);
    return [optim.applyUpdates(b, u), st2, l] as const;
  }, { donateArgnums: [0, 1] }); // new weights and Adam state written over the old, as JAX's donate_argnums
  const t = await timeSteps(steps, 1, () => {
    let l: fx.Tensor;
    [block, state, l] = step(block, state) as unknown as [typeof block, unknown[], fx.Tensor];
    return l.item();
  });
  const threads = backend === "wasm" ? `, ${fx.getThreads()} threads` : "";
  fx.setBackend(previous);
  return toResult(`Fluxion (${backend} backend${threads}, jit)`, t);
}

type Tf = typeof import("@tensorflow/tfjs");

async function loadTf(): Promise<Tf | null> {
  try {
    const tf = await import("@tensorflow/tfjs");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")), "/"));
    return tf;
  } catch {
    return null;
  }
}

/** The same block in TensorFlow.js: variables, pre-LN, matmul/mask/softmax attention, exact GELU, Adam. */
async function tfjs(tf: Tf, backend: "cpu" | "wasm", s: Shape, p: Problem, steps: number): Promise<Result | null> {
  try {
    if (!(await tf.setBackend(backend))) return null;
    await tf.ready();
  } catch {
    return null;
  }
  const E = s.width, H = s.heads, D = E / H, T = s.seq, B = s.batch;
  // Fluxion's starting weights ([in, out]), input and target.
  const start = b5Start(p);
  const t = (a: { data: Float32Array; shape: number[] }) => tf.tensor(a.data, a.shape);
  const v = Object.fromEntries(Object.entries(start.params).map(([name, a]) => [name, tf.variable(t(a))])) as Record<keyof typeof start.params, import("@tensorflow/tfjs").Variable>;
  const x = t(start.x), y = t(start.y);
  const causal = tf.linalg.bandPart(tf.ones([T, T]), -1, 0); // 1 on and below the diagonal
  const maskBias = tf.mul(tf.sub(1, causal), -1e9);
  const ln = (t: import("@tensorflow/tfjs").Tensor, g: import("@tensorflow/tfjs").Tensor, b: import("@tensorflow/tfjs").Tensor) => {
    const { mean, variance } = tf.moments(t, -1, true);
    return tf.add(tf.mul(tf.div(tf.sub(t, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
  };
  const dense = (t: import("@tensorflow/tfjs").Tensor, w: import("@tensorflow/tfjs").Tensor, b: import("@tensorflow/tfjs").Tensor, n: number) =>
    tf.reshape(tf.add(tf.matMul(tf.reshape(t, [-1, w.shape[0]!]), w), b), [B, T, n]);
  const heads = (t: import("@tensorflow/tfjs").Tensor) => tf.transpose(tf.reshape(t, [B, T, H, D]), [0, 2, 1, 3]);
  const forward = () => {
    const qkv = dense(ln(x, v.ln1g, v.ln1b), v.wqkv, v.bqkv, 3 * E);
    const [q, k, val] = tf.split(qkv, 3, -1).map(heads) as [import("@tensorflow/tfjs").Tensor, import("@tensorflow/tfjs").Tensor, import("@tensorflow/tfjs").Tensor];
    const scores = tf.add(tf.matMul(tf.mul(q, 1 / Math.sqrt(D)), k, false, true), maskBias);
    const att = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), val), [0, 2, 1, 3]), [B, T, E]);
    const h = tf.add(x, dense(att, v.wo, v.bo, E));
    const u = dense(ln(h, v.ln2g, v.ln2b), v.w1, v.b1, s.hidden);
    const gelu = tf.mul(tf.mul(u, 0.5), tf.add(tf.erf(tf.mul(u, Math.SQRT1_2)), 1));
    return tf.add(h, dense(gelu, v.w2, v.b2, E));
  };
  const opt = tf.train.adam(1e-3);
  try {
    const timed = await timeSteps(steps, 1, async () => {
      // Mean over rows of per-row means, as bench/workloads/b5-jaxjs.ts: tfjs-wasm's one-pass float32 mean rounds by ~5e-4.
      const l = opt.minimize(() => tf.mean(tf.mean(tf.squaredDifference(forward(), y), -1)) as import("@tensorflow/tfjs").Scalar, true, Object.values(v))!;
      const value = (await l.data())[0]!;
      l.dispose();
      return value;
    });
    return toResult(`TensorFlow.js 4.22 (${backend})`, timed);
  } catch (e) {
    console.error(`tfjs ${backend}: ${(e as Error).message}`);
    return null;
  }
}

/** The same block in jax-js, from the same starting point; null when jax-js cannot run here. */
async function jaxjs(s: Shape, p: Problem, steps: number): Promise<Result | null> {
  try {
    const step = await b5JaxjsStep(b5Start(p), s);
    return toResult("jax-js (wasm device, jit)", await timeSteps(steps, 1, step));
  } catch (e) {
    console.error(`jax-js: ${(e as Error).message}`);
    return null;
  }
}

export async function main(): Promise<Result[]> {
  const s: Shape = { batch: Number(arg("batch", "32")), seq: Number(arg("seq", "128")), width: Number(arg("width", "256")), heads: 4, hidden: Number(arg("hidden", "1024")) };
  const steps = Number(arg("steps", "3"));
  const peerNames = arg("peers", "cpu,wasm,jax-js").split(",");
  const peers = peerNames.filter((p) => p === "cpu" || p === "wasm") as ("cpu" | "wasm")[];
  const json = process.argv.includes("--json");
  const log = (m: string) => { if (!json) console.log(m); };
  log(`B5 transformer block: batch ${s.batch}, seq ${s.seq}, width ${s.width}, ${s.heads} heads, MLP ${s.width}→${s.hidden}→${s.width}, causal, pre-LN, Adam; ${steps} timed steps after 1 warm-up`);
  log(`machine: ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}, Node ${process.version}`);
  const backends = arg("backends", fx.backendNames().join(",")).split(",").filter((b) => fx.backendNames().includes(b));
  const results: Result[] = [];
  for (const b of backends) results.push(await fluxion(b, problem(s), steps));
  const tf = peers.length ? await loadTf() : null;
  if (peers.length && !tf) log("(@tensorflow/tfjs is not installed: no peer figures)");
  if (tf) for (const b of peers) {
    const r = await tfjs(tf, b, s, problem(s), steps);
    if (r) results.push(r);
    else log(`(tfjs ${b} backend unavailable here)`);
  }
  if (peerNames.includes("jax-js")) {
    const r = await jaxjs(s, problem(s), steps);
    if (r) results.push(r);
    else log("(jax-js is unavailable here: no jax-js figures)");
  }
  if (json) {
    console.log(JSON.stringify({ shape: s, results }, null, 2));
  } else {
    // Ratios: the fastest Fluxion backend over each peer, per CPU-second.
    const ours = results.filter((r) => r.name.startsWith("Fluxion"));
    const base = ours.reduce((a, b) => (b.stepsPerCpuSecond > a.stepsPerCpuSecond ? b : a), ours[0]!);
    console.log(`\n| implementation | steps/s (wall) | steps per CPU-second | ${base.name.replace(/ \(|, jit\)/g, " ").trim()} ÷ this (CPU) | loss at step 1 | loss after the last step |\n|---|---:|---:|---:|---:|---:|`);
    for (const r of results) {
      const ratio = r === base ? "—" : (base.stepsPerCpuSecond / r.stepsPerCpuSecond).toFixed(3);
      console.log(`| ${r.name} | ${r.stepsPerSecond.toPrecision(3)} | ${r.stepsPerCpuSecond.toPrecision(3)} | ${ratio} | ${r.firstLoss.toFixed(5)} | ${r.finalLoss.toFixed(5)} |`);
    }
  }
  return results;
}

await main();
