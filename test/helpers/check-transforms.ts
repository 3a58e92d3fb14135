/**
 * Checks that transforms agree with plain evaluation:
 *
 *   vmap(f)(xs)           = stack_b f(xs[b])           (checkVmap)
 *   vmap(grad(s))(xs)     = stack_b grad(s)(xs[b])     (checkVmapGrad, s = Σ w·f)
 *   jit(f)(xs)            = f(xs), traced once          (checkJit)
 *
 *   checkVmap((x, w) => x.matmul(w), [xs, w], { inAxes: [0, null] });
 */
import * as fx from "../../src/index.js";
import { Nd, fromFn, fromTensor, toTensor } from "./nd.js";
import { Rng } from "./random.js";
import { assertSameTensor, outLeaves, tolFor, type Tol } from "./compare.js";
import type { TensorFn } from "./check-grads.js";

export interface VmapCheckOptions {
  /** One entry per argument: the mapped axis, or null for an unmapped argument (default 0 for all). */
  inAxes?: (number | null)[];
  /** Where the batch axis goes in the outputs (default 0). */
  outAxes?: number;
  tol?: Tol;
  label?: string;
}

/** Example b of x along `axis`, as a tensor of x's dtype. */
export function exampleOf(x: fx.Tensor, axis: number, b: number): fx.Tensor {
  const nd = fromTensor(x);
  const a = axis < 0 ? axis + x.ndim : axis;
  const shape = x.shape.filter((_, i) => i !== a);
  const ex = fromFn(shape, (idx) => nd.get([...idx.slice(0, a), b, ...idx.slice(a)]));
  return toTensor(ex, x.dtype);
}

/** Stacks equal-shaped tensors along a new axis (via raw data, not Fluxion ops). */
export function stackAlong(ts: fx.Tensor[], axis: number, like: { shape: readonly number[]; dtype: fx.DType }): fx.Tensor {
  const nds = ts.map(fromTensor);
  const inner = [...like.shape];
  const a = axis < 0 ? axis + inner.length + 1 : axis;
  const shape = [...inner.slice(0, a), ts.length, ...inner.slice(a)];
  const out = fromFn(shape, (idx) => nds[idx[a]!]!.get([...idx.slice(0, a), ...idx.slice(a + 1)]));
  return toTensor(out, like.dtype);
}

function batchSize(xs: fx.Tensor[], inAxes: (number | null)[]): number {
  const k = inAxes.findIndex((a) => a !== null);
  if (k < 0) throw new Error("checkVmap: no mapped argument");
  const x = xs[k]!;
  const a = inAxes[k]!;
  return x.shape[a < 0 ? a + x.ndim : a]!;
}

const argsFor = (xs: fx.Tensor[], inAxes: (number | null)[], b: number) =>
  xs.map((x, i) => (inAxes[i] === null ? x : exampleOf(x, inAxes[i]!, b)));

/** vmap(f) against a JS loop over the examples. */
export function checkVmap(f: TensorFn, xs: fx.Tensor[], opts: VmapCheckOptions = {}): void {
  const inAxes = opts.inAxes ?? xs.map(() => 0);
  const outAxes = opts.outAxes ?? 0;
  const label = opts.label ?? "checkVmap";
  const n = batchSize(xs, inAxes);
  const perExample = Array.from({ length: n }, (_, b) => outLeaves(f(...argsFor(xs, inAxes, b)), label));
  const got = outLeaves(fx.vmap(f, { inAxes, outAxes })(...xs), label);
  if (n === 0) return; // nothing to compare against beyond not throwing
  if (got.length !== perExample[0]!.length) throw new Error(`${label}: vmap gave ${got.length} outputs, f gives ${perExample[0]!.length}`);
  got.forEach((g, k) => {
    const like = perExample[0]![k]!;
    const want = stackAlong(perExample.map((o) => o[k]!), outAxes, like);
    assertSameTensor(g, want, opts.tol ?? vmapTol(like.dtype), `${label} output ${k}`);
  });
}

/** Batching may reorder float sums (e.g. folding the batch into matmul rows). */
function vmapTol(dtype: fx.DType): Tol {
  return dtype === "float32" ? { rtol: 1e-5, atol: 1e-6 } : dtype === "float64" ? { rtol: 1e-12, atol: 1e-13 } : { rtol: 0, atol: 0 };
}

/** A scalar from f's outputs: Σ_k Σ w_k·out_k, with fixed float64 weights shaped like one example's outputs. */
export function scalarized(f: TensorFn, weights: fx.Tensor[]) {
  return (...xs: fx.Tensor[]): fx.Tensor => {
    const outs = outLeaves(f(...xs));
    return outs.map((o, k) => fx.sum(fx.mul(o, weights[k]!))).reduce((a, b) => fx.add(a, b));
  };
}

/** vmap of grad against per-example grads, for the mapped float64 arguments. */
export function checkVmapGrad(f: TensorFn, xs: fx.Tensor[], opts: VmapCheckOptions & { seed?: number } = {}): void {
  const inAxes = opts.inAxes ?? xs.map(() => 0);
  const label = opts.label ?? "checkVmapGrad";
  const n = batchSize(xs, inAxes);
  if (n === 0) return;
  const rng = new Rng((opts.seed ?? 0) + 31);
  const example0 = outLeaves(f(...argsFor(xs, inAxes, 0)));
  const weights = example0.map((o) => toTensor(new Nd([...o.shape], rng.normals(o.size)), "float64"));
  const s = scalarized(f, weights);
  const argnums = inAxes.flatMap((a, i) => (a !== null ? [i] : []));
  const g = fx.grad(s, { argnums });
  const got = fx.vmap(g, { inAxes })(...xs) as fx.Tensor[];
  argnums.forEach((argnum, j) => {
    const per = Array.from({ length: n }, (_, b) => (g(...argsFor(xs, inAxes, b)) as fx.Tensor[])[j]!);
    const want = stackAlong(per, 0, per[0]!);
    assertSameTensor(got[j]!, want, opts.tol ?? { rtol: 1e-10, atol: 1e-12 }, `${label} grad of argument ${argnum}`);
  });
}

/** jit(f) equals f, compiles once for repeated calls with one signature, and (optionally) jit(grad) equals grad. */
export function checkJit(f: TensorFn, xs: fx.Tensor[], opts: { label?: string; grad?: boolean; seed?: number } = {}): void {
  const label = opts.label ?? "checkJit";
  const want = outLeaves(f(...xs), label);
  const jf = fx.jit(f);
  const first = outLeaves(jf(...xs), label);
  const again = outLeaves(jf(...xs), label);
  if (jf.cacheSize !== 1) throw new Error(`${label}: jit traced ${jf.cacheSize} programs for one signature`);
  [first, again].forEach((got, call) => {
    if (got.length !== want.length) throw new Error(`${label}: jit gave ${got.length} outputs, f gives ${want.length}`);
    got.forEach((g, k) => assertSameTensor(g, want[k]!, jitTol(want[k]!.dtype), `${label} call ${call + 1} output ${k}`));
  });
  if (opts.grad) {
    const rng = new Rng((opts.seed ?? 0) + 57);
    const weights = want.map((o) => toTensor(new Nd([...o.shape], rng.normals(o.size)), "float64"));
    const s = scalarized(f, weights);
    const argnums = xs.map((_, i) => i);
    const g = fx.grad(s, { argnums });
    const eager = g(...xs) as fx.Tensor[];
    const jitted = fx.jit(g)(...xs) as fx.Tensor[];
    eager.forEach((e, k) => assertSameTensor(jitted[k]!, e, { rtol: 1e-12, atol: 1e-14 }, `${label} jit(grad) argument ${k}`));
  }
}

function jitTol(dtype: fx.DType): Tol {
  return dtype === "float32" || dtype === "float64" ? tolFor(dtype) : { rtol: 0, atol: 0 };
}
