/**
 * A compiled Program: fused elementwise loops plus direct backend kernel
 * calls, with shapes and dtypes settled at trace time (no shape rules, no
 * tracing, no dispatch per call). Used by `jit` when its inputs are concrete.
 */
import { allocate } from "../../core/dtype.js";
import { sizeOf } from "../../core/shape.js";
import { ConcreteTensor, type Tensor } from "../../core/tensor.js";
import { getBackend } from "../../backend/registry.js";
import type { PrimName } from "../../backend/spec.js";
import type { Program } from "../program.js";
import { planSteps } from "./fusion.js";
import { generateLoop } from "./codegen.js";

export type Executable = (args: ConcreteTensor[]) => ConcreteTensor[];

export function compileProgram(program: Program): Executable {
  const { avals } = program;
  const backend = getBackend();
  const run: ((env: ConcreteTensor[]) => void)[] = planSteps(program).map((step) => {
    if (step.kind === "fused") {
      const loop = generateLoop(step.eqns, step.inputs, step.outputs, avals);
      const n = sizeOf(step.shape);
      const outAvals = step.outputs.map((v) => avals[v]!);
      return (env) => {
        const ins = step.inputs.map((v) => env[v]!.buffer.view());
        const outs = outAvals.map((a) => allocate(a.dtype, n));
        loop(ins, outs, n);
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
  return (args) => {
    const env: ConcreteTensor[] = new Array(avals.length);
    for (const [v, t] of consts) env[v] = t;
    program.inputs.forEach((v, i) => (env[v] = args[i]!));
    for (const step of run) step(env);
    return program.outputs.map((v) => env[v]!);
  };
}

export function allConcrete(xs: Tensor[]): xs is ConcreteTensor[] {
  return xs.every((x) => x instanceof ConcreteTensor);
}
