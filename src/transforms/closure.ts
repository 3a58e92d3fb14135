/**
 * Tracing a function of flat tensors into a closed Program: every value it
 * captures from outside (weights in a closure, an outer transform's tracers)
 * becomes an explicit leading input. Higher-order primitives (scan, cond,
 * while) carry such programs as parameters, so outer transforms can see and
 * differentiate through the captured values.
 */
import type { Aval, Tensor } from "../core/tensor.js";
import { withTrace } from "../core/trace.js";
import { JitTrace, JitTracer } from "./jit.js";
import { Program } from "./program.js";

export interface ClosedProgram {
  /** Inputs: the captured constants first, then the function's arguments. */
  program: Program;
  consts: Tensor[];
  outAvals: Aval[];
}

export function closeOver(fn: (...xs: Tensor[]) => Tensor[], avals: readonly Aval[]): ClosedProgram {
  return withTrace((level) => new JitTrace(level), (trace) => {
    const inputs = avals.map((a) => trace.newVar(a));
    const outs = fn(...inputs);
    const outIds = outs.map((o) => (o instanceof JitTracer && o.trace === trace ? o.id : trace.lift(o).id));
    const constIds = [...trace.consts.keys()];
    const consts = [...trace.consts.values()];
    const program = new Program(trace.avals, [...constIds, ...inputs.map((v) => v.id)], new Map(), trace.eqns, outIds);
    return { program, consts, outAvals: outIds.map((id) => trace.avals[id]!) };
  });
}
