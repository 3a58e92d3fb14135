/**
 * A compiled Program: fused elementwise loops plus direct backend kernel
 * calls, with shapes and dtypes settled at trace time (no shape rules, no
 * tracing, no dispatch per call). Used by `jit` when its inputs are concrete.
 *
 * Constant folding needs no pass: while tracing, a primitive whose inputs are
 * all concrete runs eagerly, so the program holds only work that depends on
 * the inputs. Then fusion (see fusion.ts) and buffer reuse: a fused loop
 * writes into the storage of an intermediate it reads for the last time, when
 * size and dtype match, instead of allocating.
 */
import { allocateUninitialized, itemSize, ownsBuffer, ownsBufferOfSize, type TypedArray } from "../../core/dtype.js";
import { givePooled } from "../../core/storage-pool.js";
import { sizeOf } from "../../core/shape.js";
import { ConcreteTensor, type Tensor } from "../../core/tensor.js";
import { getBackend } from "../../backend/registry.js";
import type { CallArena, FusedGroup, FusedKernel, PrimName } from "../../backend/spec.js";
import type { Program } from "../program.js";
import { operandLayout, planSteps, type Step } from "./fusion.js";
import { generateLoop } from "./codegen.js";

export type Executable = (args: ConcreteTensor[]) => ConcreteTensor[];

/**
 * Primitives whose result may share its input's storage (reshape on every
 * backend; matrix transposes and batch broadcasts, which the wasm backend
 * defers). Such values form one alias group: its storage may be written only
 * after the last read of every member.
 */
const ALIASING = new Set(["reshape", "stop_gradient", "transpose", "broadcast_to"]);

/**
 * For each fused step's outputs: the intermediate whose buffer it may take
 * over (or -1). `donated` input variables count as intermediates: their
 * storage may be written once the program has read them (and every alias of
 * them, such as a Linear layer's transposed weight) for the last time.
 */
function planReuse(steps: Step[], program: Program, donated: ReadonlySet<number>): Map<Step, number[]> {
  // Each value's alias group, named by the value that owns the storage.
  const storageOf = new Map<number, number>();
  const root = (v: number) => storageOf.get(v) ?? v;
  for (const s of steps) {
    if (s.kind === "kernel" && ALIASING.has(s.eqn.prim.name)) for (const v of s.eqn.outputs) storageOf.set(v, root(s.eqn.inputs[0]!));
  }
  const lastUse = new Map<number, number>();
  steps.forEach((s, i) => {
    const ins = s.kind === "fused" ? s.inputs : s.eqn.inputs;
    for (const v of ins) lastUse.set(root(v), i);
  });
  // Only buffers this executable allocated itself are safe to overwrite.
  const owned = new Set<number>(donated);
  const outputs = new Set(program.outputs);
  const pinned = new Set([...outputs, ...program.inputs.filter((v) => !donated.has(v)), ...program.consts.keys()].map(root));
  const plan = new Map<Step, number[]>();
  steps.forEach((s, i) => {
    if (s.kind === "fused") {
      // One member per alias group, the storage's owner first (a deferred view would only hand over a copy).
      const byRoot = new Map<number, number>();
      for (const v of s.inputs) {
        const r = root(v);
        if (owned.has(r) && !pinned.has(r) && lastUse.get(r) === i && (!byRoot.has(r) || v === r)) byRoot.set(r, v);
      }
      const free = [...byRoot.values()];
      plan.set(s, s.outputs.map((out) => {
        const a = program.avals[out]!;
        const fits = (v: number) => program.avals[v]!.dtype === a.dtype && sizeOf(program.avals[v]!.shape) === sizeOf(a.shape);
        // A result of the program takes a donated input's storage first (the new state over the old,
        // which a backend may keep in its own memory, see CallArena.adopt), an intermediate a temporary's.
        const preferred = (v: number) => fits(v) && donated.has(v) === outputs.has(out);
        let k = free.findIndex(preferred);
        if (k < 0) k = free.findIndex(fits);
        return k < 0 ? -1 : free.splice(k, 1)[0]!;
      }));
      for (const v of s.outputs) owned.add(v);
    } else if (!s.eqn.prim.impl) {
      for (const v of s.eqn.outputs) owned.add(v);
    }
  });
  return plan;
}

/** The group as a backend sees it: values numbered inputs first, then one per equation. */
export function describeGroup(step: Extract<Step, { kind: "fused" }>, avals: Program["avals"], n: number): FusedGroup {
  const local = new Map<number, number>();
  step.inputs.forEach((v, i) => local.set(v, i));
  step.eqns.forEach((eq, k) => local.set(eq.outputs[0]!, step.inputs.length + k));
  return {
    inputs: step.inputs.map((v) => ({ dtype: avals[v]!.dtype, ...operandLayout(avals[v]!.shape, step.shape)! })),
    ops: step.eqns.map((eq) => ({ prim: eq.prim.name, args: eq.inputs.map((v) => local.get(v)!), dtype: avals[eq.outputs[0]!]!.dtype })),
    outputs: step.outputs.map((v) => local.get(v)!),
    n,
  };
}

function jsLoop(step: Extract<Step, { kind: "fused" }>, avals: Program["avals"], n: number): FusedKernel {
  const loop = generateLoop(step.eqns, step.inputs, step.outputs, avals, step.shape);
  return (ins, outs) => loop(ins, outs, n);
}

/**
 * @param donatedInputs positions of inputs whose storage the program may
 *   reuse for its results (jit's `donateArgnums`); the caller invalidates them.
 */
export function compileProgram(program: Program, donatedInputs: readonly number[] = []): Executable {
  const { avals } = program;
  const backend = getBackend();
  const steps = planSteps(program);
  const reuse = planReuse(steps, program, new Set(donatedInputs.map((i) => program.inputs[i]!)));
  const run: ((env: ConcreteTensor[]) => void)[] = steps.map((step) => {
    if (step.kind === "fused") {
      const n = sizeOf(step.shape);
      const loop = backend.fuse?.(describeGroup(step, avals, n)) ?? jsLoop(step, avals, n);
      const outAvals = step.outputs.map((v) => avals[v]!);
      const donors = reuse.get(step)!;
      return (env) => {
        const ins = step.inputs.map((v) => env[v]!.buffer.view());
        const outs: TypedArray[] = outAvals.map((a, k) => (donors[k]! >= 0 ? env[donors[k]!]!.buffer.view() : allocateUninitialized(a.dtype, n)));
        loop(ins, outs);
        step.outputs.forEach((v, k) => (env[v] = new ConcreteTensor(backend.fromArray(outs[k]!), outAvals[k]!.shape, outAvals[k]!.dtype)));
      };
    }
    const { eqn } = step;
    const outAvals = eqn.outputs.map((v) => avals[v]!);
    if (eqn.prim.impl) {
      // Higher-order primitives (scan, cond, while) run their own sub-programs.
      return (env) => {
        const outs = eqn.prim.impl!(eqn.inputs.map((v) => env[v]!), eqn.params);
        eqn.outputs.forEach((v, k) => (env[v] = outs[k] as ConcreteTensor));
      };
    }
    const name = eqn.prim.name as PrimName;
    return (env) => {
      const ins = eqn.inputs.map((v) => {
        const t = env[v]!;
        return { buffer: t.buffer, shape: t.shape, dtype: t.dtype };
      });
      const bufs = backend.run(name, ins, eqn.params as never, outAvals);
      eqn.outputs.forEach((v, k) => (env[v] = new ConcreteTensor(bufs[k]!, outAvals[k]!.shape, outAvals[k]!.dtype)));
    };
  });
  const consts = [...program.consts].map(([v, t]) => [v, t.concrete()] as const);
  const isOutput = new Set(program.outputs);
  // Results of scan/cond/while are left alone: a branch may return a tensor its sub-program holds.
  // Storage too small to own its buffer is never pooled: a program without any skips the check.
  const intermediates = steps
    .flatMap((s) => (s.kind === "fused" ? s.outputs : s.eqn.prim.impl ? [] : s.eqn.outputs))
    .filter((v) => !isOutput.has(v) && ownsBufferOfSize(sizeOf(avals[v]!.shape) * itemSize(avals[v]!.dtype)));
  const kept = [...program.inputs, ...program.consts.keys(), ...program.outputs];
  const arena = backend.callArena;
  // Donated inputs the program writes its results over: the backend may move them where they can stay.
  const donors = new Set([...reuse.values()].flat());
  const adopted = donatedInputs.filter((i) => donors.has(program.inputs[i]!));
  return (args) => {
    if (arena && adopted.length > 0) {
      args = args.slice();
      for (const i of adopted) {
        const t = args[i]!, buffer = arena.adopt(t.buffer, t.dtype);
        if (buffer !== t.buffer) args[i] = new ConcreteTensor(buffer, t.shape, t.dtype);
      }
    }
    // Results may live in the backend's call arena while the call runs; the outermost call detaches its outputs.
    const outermost = arena?.enter() ?? false;
    try {
      const env: ConcreteTensor[] = new Array(avals.length);
      for (const [v, t] of consts) env[v] = t;
      program.inputs.forEach((v, i) => (env[v] = args[i]!));
      for (const step of run) step(env);
      const outs = program.outputs.map((v) => env[v]!);
      if (intermediates.length > 0) recycle(env, intermediates, kept);
      return outermost ? outs.map((t) => detach(arena!, t)) : outs;
    } finally {
      arena?.exit();
    }
  };
}

function detach(arena: CallArena, t: ConcreteTensor): ConcreteTensor {
  const buffer = arena.detach(t.buffer, t.dtype);
  return buffer === t.buffer ? t : new ConcreteTensor(buffer, t.shape, t.dtype);
}

/**
 * Gives the storage of this call's intermediates to the storage pool, except
 * any that an input, a constant or an output shares (a reshape, a deferred
 * transpose, a buffer written over in place): only what provably dies here.
 */
function recycle(env: ConcreteTensor[], intermediates: readonly number[], kept: readonly number[]): void {
  const live = new Set<ArrayBufferLike>();
  for (const v of kept) {
    const arrays = env[v]!.buffer.storage?.();
    if (!arrays) return; // a buffer that cannot say what it holds: keep everything
    for (const a of arrays) live.add(a.buffer);
  }
  const dead = new Set<ArrayBuffer>();
  for (const v of intermediates) {
    const t = env[v];
    if (!t || t.isDisposed) continue;
    for (const a of t.buffer.storage?.() ?? []) {
      if (ownsBuffer(a) && !live.has(a.buffer)) dead.add(a.buffer as ArrayBuffer);
    }
  }
  for (const b of dead) givePooled(b);
}

export function allConcrete(xs: Tensor[]): xs is ConcreteTensor[] {
  return xs.every((x) => x instanceof ConcreteTensor);
}
