/**
 * Fusion planning for jit: elementwise equations over one output shape
 * become one group, computed by a single generated loop. Operands have that
 * shape, size 1, or broadcast it in the three ways layers need: a row
 * repeated along the leading axes (a bias [256] added to [32, 128, 256]), a
 * column constant along the trailing ones (a row statistic [32, 128, 1], as
 * layer norm and softmax subtract and divide), or a channel broadcast along
 * both (a conv bias [C, 1, 1] added to [N, C, H, W]). Values used only inside
 * a group never touch memory.
 */
import type { Aval } from "../../core/tensor.js";
import { shapesEqual, sizeOf } from "../../core/shape.js";
import { BINARY, COMPARE, LOGICAL, UNARY_FLOAT } from "../../backend/spec.js";
import type { Equation, Program } from "../program.js";

const ELEMENTWISE = new Set<string>([...UNARY_FLOAT, ...BINARY, ...COMPARE, ...LOGICAL, "not", "select", "cast", "stop_gradient"]);

export type Step =
  | { kind: "kernel"; eqn: Equation }
  | { kind: "fused"; eqns: Equation[]; inputs: number[]; outputs: number[]; shape: readonly number[] };

/**
 * Broadcast periods must be multiples of this, so that no SIMD step (two
 * vectors: 8 float32 or 4 float64 lanes) straddles the end of a row or column.
 */
export const BROADCAST_ALIGN = 8;

/**
 * A channel's repeat (H·W) must be a multiple of this: the Wasm loop splats
 * its element per vector (4 float32 or 2 float64 lanes), so 26·26 = 676 fuses.
 */
export const CHANNEL_ALIGN = 4;

/**
 * How a group of shape `group` reads an operand of shape `shape` (see spec.ts
 * FusedGroup), or null if it cannot: e.g. [C, 1, 1] in [N, C, H, W] gives
 * { period: C, repeat: H·W } (element i at ⌊i / (H·W)⌋ mod C).
 */
export function operandLayout(shape: readonly number[], group: readonly number[]): { scalar: boolean; period?: number; repeat?: number } | null {
  const n = sizeOf(group), size = sizeOf(shape);
  if (shapesEqual(shape, group)) return { scalar: false };
  if (size === 1) return { scalar: n !== 1 };
  if (shape.length > group.length) return null;
  const padded = [...Array<number>(group.length - shape.length).fill(1), ...shape];
  if (shapesEqual(padded, group)) return { scalar: false };
  // Row: leading axes 1 (the group's may be 1 there too), trailing axes the group's.
  let lead = 0;
  while (padded[lead] === 1) lead++;
  if (padded.slice(lead).every((d, i) => d === group[lead + i]) && size % BROADCAST_ALIGN === 0) return { scalar: false, period: size };
  // Column: leading axes the group's, trailing axes 1.
  let k = group.length;
  while (k > 0 && padded[k - 1] === 1) k--;
  const repeat = n / size;
  if (padded.slice(0, k).every((d, i) => d === group[i]) && repeat % BROADCAST_ALIGN === 0) return { scalar: false, repeat };
  // Channel: leading axes 1, middle axes the group's, trailing axes 1 (also a
  // column whose repeat is a multiple of 4 but not 8).
  let first = 0;
  while (first < k && padded[first] === 1) first++;
  const inner = sizeOf(group.slice(k));
  if (padded.slice(first, k).every((d, i) => d === group[first + i]) && inner % CHANNEL_ALIGN === 0) return { scalar: false, period: size, repeat: inner };
  return null;
}

function fits(eqn: Equation, avals: Aval[], shape: readonly number[]): boolean {
  if (!ELEMENTWISE.has(eqn.prim.name)) return false;
  const out = avals[eqn.outputs[0]!]!;
  if (!shapesEqual(out.shape, shape)) return false;
  return eqn.inputs.every((v) => operandLayout(avals[v]!.shape, shape) !== null);
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
