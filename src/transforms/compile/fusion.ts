/**
 * Fusion planning for jit: consecutive elementwise equations over one output
 * shape (operands of that shape or of size 1) become one group, computed by a
 * single generated loop. Values used only inside a group never touch memory.
 */
import type { Aval } from "../../core/tensor.js";
import { shapesEqual, sizeOf } from "../../core/shape.js";
import { BINARY, COMPARE, LOGICAL, UNARY_FLOAT } from "../../backend/spec.js";
import type { Equation, Program } from "../program.js";

const ELEMENTWISE = new Set<string>([...UNARY_FLOAT, ...BINARY, ...COMPARE, ...LOGICAL, "not", "select", "cast", "stop_gradient"]);

export type Step =
  | { kind: "kernel"; eqn: Equation }
  | { kind: "fused"; eqns: Equation[]; inputs: number[]; outputs: number[]; shape: readonly number[] };

function fits(eqn: Equation, avals: Aval[], shape: readonly number[]): boolean {
  if (!ELEMENTWISE.has(eqn.prim.name)) return false;
  const out = avals[eqn.outputs[0]!]!;
  if (!shapesEqual(out.shape, shape)) return false;
  const n = sizeOf(shape);
  return eqn.inputs.every((v) => {
    const a = avals[v]!;
    return shapesEqual(a.shape, shape) || sizeOf(a.shape) === 1 || (n === 1 && sizeOf(a.shape) === 1);
  });
}

export function planSteps(program: Program): Step[] {
  const { avals, eqns } = program;
  // Where each variable is used (equation indices), and which are program outputs.
  const users = new Map<number, number[]>();
  eqns.forEach((eq, i) => eq.inputs.forEach((v) => users.set(v, [...(users.get(v) ?? []), i])));
  const isOutput = new Set(program.outputs);
  const steps: Step[] = [];
  let group: { eqns: Equation[]; idx: number[]; shape: readonly number[] } | null = null;

  const flush = () => {
    if (!group) return;
    if (group.eqns.length === 1 && sizeOf(group.shape) > 4096) {
      // A lone large op gains nothing from code generation; use the backend kernel.
      steps.push({ kind: "kernel", eqn: group.eqns[0]! });
    } else {
      const members = new Set(group.idx);
      const produced = new Set(group.eqns.flatMap((e) => e.outputs));
      const inputs: number[] = [];
      for (const e of group.eqns) for (const v of e.inputs) if (!produced.has(v) && !inputs.includes(v)) inputs.push(v);
      const outputs = [...produced].filter((v) => isOutput.has(v) || (users.get(v) ?? []).some((u) => !members.has(u)));
      steps.push({ kind: "fused", eqns: group.eqns, inputs, outputs, shape: group.shape });
    }
    group = null;
  };

  eqns.forEach((eq, i) => {
    const shape = avals[eq.outputs[0]!]?.shape;
    if (shape && group && fits(eq, avals, group.shape)) {
      group.eqns.push(eq);
      group.idx.push(i);
      return;
    }
    flush();
    if (shape && fits(eq, avals, shape)) group = { eqns: [eq], idx: [i], shape };
    else steps.push({ kind: "kernel", eqn: eq });
  });
  flush();
  return steps;
}
