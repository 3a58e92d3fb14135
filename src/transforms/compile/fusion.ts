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

interface Group {
  eqns: Equation[];
  idx: number[];
  shape: readonly number[];
  key: string;
}

/**
 * Groups elementwise equations by output shape across the whole program, not
 * only runs of neighbours: an optimizer's update interleaves the parameters'
 * shapes (m for every leaf, then v for every leaf, ...), and each parameter's
 * chain still becomes one loop. A group stays open while equations join it
 * and is emitted, at that point of the program, as soon as an equation outside
 * it reads one of its results; its members' other inputs are all computed
 * earlier, so moving the members down to that point keeps every dependency.
 */
export function planSteps(program: Program): Step[] {
  const { avals, eqns } = program;
  // Where each variable is used (equation indices), and which are program outputs.
  const users = new Map<number, number[]>();
  eqns.forEach((eq, i) => eq.inputs.forEach((v) => users.set(v, [...(users.get(v) ?? []), i])));
  const isOutput = new Set(program.outputs);
  const steps: Step[] = [];
  const open = new Map<string, Group>();
  const producer = new Map<number, Group>();

  const emit = (group: Group) => {
    open.delete(group.key);
    const produced = new Set(group.eqns.flatMap((e) => e.outputs));
    for (const v of produced) producer.delete(v);
    if (group.eqns.length === 1 && sizeOf(group.shape) > 4096) {
      // A lone large op gains nothing from code generation; use the backend kernel.
      steps.push({ kind: "kernel", eqn: group.eqns[0]! });
      return;
    }
    const members = new Set(group.idx);
    const inputs: number[] = [];
    for (const e of group.eqns) for (const v of e.inputs) if (!produced.has(v) && !inputs.includes(v)) inputs.push(v);
    const outputs = [...produced].filter((v) => isOutput.has(v) || (users.get(v) ?? []).some((u) => !members.has(u)));
    steps.push({ kind: "fused", eqns: group.eqns, inputs, outputs, shape: group.shape });
  };

  eqns.forEach((eq, i) => {
    const shape = avals[eq.outputs[0]!]?.shape;
    const key = shape && fits(eq, avals, shape) ? shape.join(",") : null;
    const target = key === null ? undefined : open.get(key);
    for (const v of eq.inputs) {
      const g = producer.get(v);
      if (g && g !== target) emit(g);
    }
    if (key === null) {
      steps.push({ kind: "kernel", eqn: eq });
      return;
    }
    const group = target ?? { eqns: [], idx: [], shape: shape!, key };
    group.eqns.push(eq);
    group.idx.push(i);
    open.set(key, group);
    for (const v of eq.outputs) producer.set(v, group);
  });
  for (const group of [...open.values()]) emit(group);
  return steps;
}
