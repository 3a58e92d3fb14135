/**
 * `traceTable`: the teaching view of automatic differentiation. It shows f as
 * a Wengert list (one row per primitive, v0, v1, … as in textbooks) with the
 * value of each row, then the tangent trace (forward mode: v̇i = Σ ∂vi/∂vj·v̇j)
 * or the adjoint trace (reverse mode: v̄j += v̄i·∂vi/∂vj, walked backwards).
 */
import { isFloat } from "../core/dtype.js";
import { TransformError, ValueError } from "../core/errors.js";
import type { MaybeTensor } from "../core/primitive.js";
import { ConcreteTensor, Tensor, type NestedArray } from "../core/tensor.js";
import { bind } from "../core/trace.js";
import * as lax from "../primitives/lax.js";
import { fromTypedArray } from "../primitives/constant.js";
import { jit } from "./jit.js";
import type { Equation, Program } from "./program.js";
import { adjointText, barred, dotted, fmtConst, primalText, symbolicPartial, tangentText, type FormulaContext } from "./trace-formulas.js";

export type TraceMode = "forward" | "reverse";

export interface TraceTableOptions {
  /** "forward" (tangent trace) or "reverse" (adjoint trace). Default "reverse". */
  mode?: TraceMode;
  /** Print the table with console.log (default true). */
  print?: boolean;
  /** Forward mode: which input's tangent is seeded with 1 (default 0); the others are 0. */
  wrt?: number;
  /** Names of the inputs (default x0, x1, …). */
  names?: string[];
  /** Decimal places of the printed values (default 4). */
  digits?: number;
}

export type RowKind = "input" | "const" | "op" | "output" | "seed";

/** One line of a trace: `lhs op expr`, with its value. */
export interface TraceRow {
  kind: RowKind;
  /** Left-hand side: `v3`, `v̇3`, `v̄1`, `y`, `x̄0`. */
  lhs: string;
  /** `=`, or `+=` for an adjoint contribution. */
  op: "=" | "+=";
  /** The right-hand side in symbols: `sin(v1)`, `v̇1·cos(v1)`, `v̄3·∂v3/∂v1`. */
  expr: string;
  /** Adjoint rows: the local derivative written out (`v̄3·cos(v1)`); otherwise null. */
  detail: string | null;
  /** The primitive behind the row (null for inputs, outputs and seeds). */
  primitive: string | null;
  /** The row's value: a number for scalars, nested arrays otherwise (for `+=` rows, the contribution). */
  value: NestedArray;
  /** Adjoint `+=` rows: the accumulated adjoint after this contribution. */
  total?: NestedArray;
}

/** What `traceTable` returns; `toString()` renders the aligned table. */
export interface TraceTable {
  mode: TraceMode;
  /** The inputs' names. */
  names: string[];
  primal: TraceRow[];
  /** Forward mode only. */
  tangent: TraceRow[] | null;
  /** Reverse mode only. */
  adjoint: TraceRow[] | null;
  /** f's value (an array of values when f returns several tensors). */
  value: NestedArray | NestedArray[];
  /** Forward: ẏ, the directional derivative along input `wrt`. Reverse: one gradient per input. */
  derivative: NestedArray | NestedArray[];
  /** The traced program the rows come from. */
  program: Program;
  toString(): string;
}

/**
 * Traces `f` at `args` and returns (and prints, unless `print: false`) its
 * primal trace and its tangent (forward) or adjoint (reverse) trace, one row
 * per primitive, computed in float64 with the library's own JVP/VJP rules.
 *
 * f(x0, x1) = 2·x0 + x0·sin(x1) + x1³ at (1, 2) has value 10.9093, ∂f/∂x0 = 2.9093
 * and gradient (2.9093, 11.5839):
 *
 *   fx.traceTable((x0, x1) => x0.mul(2).add(x0.mul(x1.sin())).add(x1.pow(3)), [1, 2], { mode: "reverse" });
 *
 * f must be straight-line code over its tensor arguments (it is traced with
 * `jit`'s tracer, so a JS `if` on a traced value throws a ConcretizationError).
 * Arguments may be numbers, nested arrays or tensors; float inputs become float64.
 */
export function traceTable(f: (...args: any[]) => unknown, args: unknown[], opts: TraceTableOptions = {}): TraceTable {
  const mode = opts.mode ?? "reverse";
  if (mode !== "forward" && mode !== "reverse") throw new ValueError(`traceTable: mode must be "forward" or "reverse", got ${JSON.stringify(mode)}`);
  if (!Array.isArray(args)) throw new ValueError("traceTable: args must be an array with one entry per argument of f");
  const inputs = args.map((a, i) => asFloat64(a, i));
  const names = opts.names ?? inputs.map((_, i) => `x${i}`);
  if (names.length !== inputs.length) throw new ValueError(`traceTable: got ${names.length} names for ${inputs.length} arguments`);
  const wrt = opts.wrt ?? 0;
  if (mode === "forward" && (!Number.isInteger(wrt) || wrt < 0 || wrt >= inputs.length)) {
    throw new ValueError(`traceTable: wrt ${wrt} is out of range for ${inputs.length} argument(s)`);
  }
  const digits = opts.digits ?? 4;

  const program = jit(f).trace(...inputs);
  const v = new Variables(program);
  const env = evaluate(program, inputs);
  const primal = primalRows(program, v, env, names);
  const outNames = program.outputs.length === 1 ? ["y"] : program.outputs.map((_, i) => `y${i}`);
  program.outputs.forEach((id, k) => primal.push(row("output", outNames[k]!, "=", v.name(id), null, env.get(id)!)));
  const values = program.outputs.map((id) => env.get(id)!.toArray());

  let tangent: TraceRow[] | null = null;
  let adjoint: TraceRow[] | null = null;
  let derivative: NestedArray | NestedArray[];
  if (mode === "forward") {
    const fwd = forwardRows(program, v, env, names, wrt);
    tangent = fwd.rows;
    program.outputs.forEach((id, k) => tangent!.push(row("output", dotted(outNames[k]!), "=", dotted(v.name(id)), null, fwd.tangentOf(id))));
    const ds = program.outputs.map((id) => fwd.tangentOf(id));
    derivative = ds.length === 1 ? ds[0]! : ds;
  } else {
    if (program.outputs.length !== 1) {
      throw new TransformError(`traceTable: reverse mode needs f to return one tensor, got ${program.outputs.length} outputs`);
    }
    const rev = reverseRows(program, v, env, names);
    adjoint = rev.rows;
    derivative = rev.gradients;
  }

  const table: TraceTable = {
    mode, names, primal, tangent, adjoint, program,
    value: values.length === 1 ? values[0]! : values,
    derivative,
    toString: () => render(table, digits, mode === "forward" ? wrt : null),
  };
  if (opts.print ?? true) console.log(table.toString());
  return table;
}

function asFloat64(a: unknown, i: number): Tensor {
  if (a instanceof Tensor) return isFloat(a.dtype) ? lax.cast(a, "float64") : a;
  if (typeof a === "number") return fromTypedArray(Float64Array.of(a), [], "float64");
  if (Array.isArray(a)) return fromNested(a, i);
  throw new ValueError(`traceTable: argument ${i} must be a number, nested array or tensor, got ${a === null ? "null" : typeof a}`);
}

/** Nested arrays of numbers as a float64 tensor (this layer sits below fx.tensor). */
function fromNested(a: unknown[], i: number): Tensor {
  const shape: number[] = [];
  for (let x: unknown = a; Array.isArray(x); x = x[0]) shape.push(x.length);
  const flat = a.flat(Infinity) as unknown[];
  if (flat.length !== shape.reduce((n, d) => n * d, 1) || flat.some((e) => typeof e !== "number")) {
    throw new ValueError(`traceTable: argument ${i} is a ragged or non-numeric nested array; pass fx.tensor(...) instead`);
  }
  return fromTypedArray(Float64Array.from(flat as number[]), shape, "float64");
}

/** Row names: inputs v0…, then one per primitive output; rank-0 constants are written inline. */
class Variables {
  private readonly names = new Map<number, string>();
  readonly constRows: { id: number; name: string }[] = [];

  constructor(readonly program: Program) {
    let next = 0;
    for (const id of program.inputs) this.names.set(id, `v${next++}`);
    let c = 0;
    for (const [id, t] of program.consts) {
      if (t.shape.length === 0) continue;
      const name = `c${c++}`;
      this.names.set(id, name);
      this.constRows.push({ id, name });
    }
    for (const eq of program.eqns) for (const id of eq.outputs) this.names.set(id, `v${next++}`);
  }

  isConst(id: number): boolean {
    return this.program.consts.has(id);
  }

  /** A rank-0 constant's value, else null. */
  constValue(id: number): number | null {
    const t = this.program.consts.get(id);
    return t !== undefined && t.shape.length === 0 ? (t.concrete().data()[0] as number) : null;
  }

  name(id: number): string {
    const n = this.names.get(id);
    if (n !== undefined) return n;
    const c = this.constValue(id);
    return c === null ? `?${id}` : fmtConst(c);
  }

  context(eq: Equation): FormulaContext {
    const avals = this.program.avals;
    return {
      args: eq.inputs.map((id) => this.name(id)),
      constants: eq.inputs.map((id) => this.constValue(id)),
      out: this.name(eq.outputs[0]!),
      params: (eq.params ?? {}) as Record<string, unknown>,
      inShapes: eq.inputs.map((id) => avals[id]!.shape),
      outShape: avals[eq.outputs[0]!]!.shape,
    };
  }
}

/** Runs the program eagerly, keeping every intermediate value. */
function evaluate(program: Program, inputs: Tensor[]): Map<number, Tensor> {
  const env = new Map<number, Tensor>();
  for (const [id, t] of program.consts) {
    if (!(t instanceof ConcreteTensor)) throw new TransformError("traceTable: f closed over a value traced by an outer transform; call traceTable outside other transforms");
    env.set(id, t);
  }
  program.inputs.forEach((id, i) => env.set(id, inputs[i]!));
  for (const eq of program.eqns) {
    const outs = bind(eq.prim, eq.inputs.map((id) => env.get(id)!), eq.params);
    eq.outputs.forEach((id, i) => env.set(id, outs[i]!));
  }
  return env;
}

function row(kind: RowKind, lhs: string, op: "=" | "+=", expr: string, primitive: string | null, value: Tensor | NestedArray, detail: string | null = null): TraceRow {
  return { kind, lhs, op, expr, detail, primitive, value: value instanceof Tensor ? value.toArray() : value };
}

function primalRows(program: Program, v: Variables, env: Map<number, Tensor>, names: string[]): TraceRow[] {
  const rows: TraceRow[] = program.inputs.map((id, i) => row("input", v.name(id), "=", names[i]!, null, env.get(id)!));
  for (const c of v.constRows) rows.push(row("const", c.name, "=", "constant", null, env.get(c.id)!));
  for (const eq of program.eqns) {
    const ctx = v.context(eq);
    const text = primalText(eq.prim.name, ctx);
    eq.outputs.forEach((id, k) => rows.push(row("op", v.name(id), "=", eq.outputs.length > 1 ? `${text}[${k}]` : text, eq.prim.name, env.get(id)!)));
  }
  return rows;
}

const zerosOf = (t: Tensor): Tensor => lax.zerosLike(t);

/** Tangents come back at the output's shape and dtype (rules may return a broadcastable one). */
function fitTangent(t: MaybeTensor, out: Tensor): MaybeTensor {
  if (t === null || !isFloat(out.dtype)) return null;
  return lax.cast(lax.broadcastTo(t, out.shape), out.dtype);
}

function forwardRows(program: Program, v: Variables, env: Map<number, Tensor>, names: string[], wrt: number) {
  const tangents = new Map<number, MaybeTensor>();
  const rows: TraceRow[] = [];
  program.inputs.forEach((id, i) => {
    const x = env.get(id)!;
    const t = i === wrt && isFloat(x.dtype) ? lax.add(zerosOf(x), lax.cst(1, x)) : null;
    tangents.set(id, t);
    rows.push(row("input", dotted(v.name(id)), "=", dotted(names[i]!), null, t ?? zerosOf(x)));
  });
  const tangentOf = (id: number): NestedArray => (tangents.get(id) ?? zerosOf(env.get(id)!)).toArray();
  for (const eq of program.eqns) {
    const primals = eq.inputs.map((id) => env.get(id)!);
    const outs = eq.outputs.map((id) => env.get(id)!);
    const tins = eq.inputs.map((id) => tangents.get(id) ?? null);
    const touts = tins.every((t) => t === null) ? outs.map(() => null) : eq.prim.jvp(primals, tins, eq.params, outs);
    const dots = eq.inputs.map((id) => (v.isConst(id) ? null : dotted(v.name(id))));
    const differentiable = outs.some((o) => isFloat(o.dtype));
    const text = differentiable ? tangentText(eq.prim.name, v.context(eq), dots) : "0";
    eq.outputs.forEach((id, k) => {
      const t = fitTangent(touts[k] ?? null, outs[k]!);
      tangents.set(id, t);
      rows.push(row("op", dotted(v.name(id)), "=", eq.outputs.length > 1 ? `${text}[${k}]` : text, eq.prim.name, t ?? zerosOf(outs[k]!)));
    });
  }
  return { rows, tangentOf };
}

function reverseRows(program: Program, v: Variables, env: Map<number, Tensor>, names: string[]) {
  const cts = new Map<number, Tensor>();
  const rows: TraceRow[] = [];
  const outId = program.outputs[0]!;
  const y = env.get(outId)!;
  if (!isFloat(y.dtype)) throw new TransformError(`traceTable: reverse mode needs a float output, got ${y.dtype}`);
  const seed = lax.add(zerosOf(y), lax.cst(1, y));
  rows.push(row("seed", barred(v.name(outId)), "=", barred("y"), null, seed));
  if (!v.isConst(outId)) cts.set(outId, seed);

  for (let n = program.eqns.length - 1; n >= 0; n--) {
    const eq = program.eqns[n]!;
    const outCts = eq.outputs.map((id) => cts.get(id) ?? null);
    if (outCts.every((c) => c === null)) continue;
    const primals = eq.inputs.map((id) => env.get(id)!);
    const outs = eq.outputs.map((id) => env.get(id)!);
    const inCts = eq.prim.vjp(outCts, primals, outs, eq.params);
    const ctx = v.context(eq);
    const outName = v.name(eq.outputs[0]!);
    eq.inputs.forEach((id, i) => {
      const ct = inCts[i];
      const x = primals[i]!;
      if (v.isConst(id) || ct === null || ct === undefined || !isFloat(x.dtype)) return;
      const contribution = lax.cast(lax.unbroadcast(ct, x.shape), x.dtype);
      const prev = cts.get(id);
      const total = prev === undefined ? contribution : lax.add(prev, contribution);
      cts.set(id, total);
      const name = v.name(id);
      const r = row("op", barred(name), "+=", `${barred(outName)}·${symbolicPartial(outName, name)}`, eq.prim.name, contribution,
        adjointText(eq.prim.name, ctx, i, barred(outName)));
      r.total = total.toArray();
      rows.push(r);
    });
  }
  const gradients = program.inputs.map((id, i) => {
    const g = cts.get(id) ?? zerosOf(env.get(id)!);
    rows.push(row("output", barred(names[i]!), "=", barred(v.name(id)), null, g));
    return g.toArray();
  });
  return { rows, gradients };
}

// ---- rendering ----

/** Display width: combining marks (the dot and bar over names) take no column. */
function width(s: string): number {
  return s.replace(/[\u0300-\u036f]/g, "").length;
}

function pad(s: string, w: number): string {
  return s + " ".repeat(Math.max(0, w - width(s)));
}

function fmtValue(x: NestedArray | undefined, digits: number): string {
  if (x === undefined) return "";
  if (typeof x === "boolean") return String(x);
  if (typeof x === "number") return fmtNumber(x, digits);
  const flat: (number | boolean)[] = [];
  const walk = (e: NestedArray): void => void (Array.isArray(e) ? e.forEach(walk) : flat.push(e));
  walk(x);
  const shown = flat.slice(0, 6).map((e) => (typeof e === "number" ? fmtNumber(e, digits) : String(e)));
  return `[${shown.join(", ")}${flat.length > 6 ? `, … (${flat.length} values)` : ""}]`;
}

export function fmtNumber(v: number, digits: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Inf" : "-Inf";
  if (Object.is(v, -0)) return "0";
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a < 10 ** -digits || a >= 1e9) return v.toExponential(Math.max(1, digits - 1));
  return String(Number(v.toFixed(digits)));
}

function statement(r: TraceRow): string {
  return `${r.lhs} ${r.op} ${r.expr}`;
}

function columns(lines: string[][]): string[] {
  const widths: number[] = [];
  for (const l of lines) l.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, width(c))));
  return lines.map((l) => l.map((c, i) => (i === l.length - 1 ? c : pad(c, widths[i]!))).join("   ").trimEnd());
}

function render(t: TraceTable, digits: number, wrt: number | null): string {
  const out: string[] = [];
  if (t.mode === "forward") {
    const seed = `${dotted(t.names[wrt!]!)} = 1${t.names.length > 1 ? ", others 0" : ""}`;
    out.push(`Forward mode: primal trace and tangent trace (${seed})`);
    const head = ["Primal trace", "value", `Tangent trace`, "value"];
    const tan = t.tangent!;
    // Constant rows have no tangent row: line the two traces up by the row they describe.
    const tanByLhs = new Map(tan.map((r) => [r.lhs, r]));
    const lines = [head, ...t.primal.map((p) => {
      const match = tanByLhs.get(dotted(p.lhs));
      return [statement(p), fmtValue(p.value, digits), match ? statement(match) : "", match ? fmtValue(match.value, digits) : ""];
    })];
    out.push(...columns(lines));
  } else {
    out.push("Reverse mode: primal trace (top to bottom), then adjoint trace (bottom to top, ȳ = 1)");
    out.push(...columns([["Primal trace", "value"], ...t.primal.map((p) => [statement(p), fmtValue(p.value, digits)])]));
    out.push("");
    const lines = [["Adjoint trace", "", "value", "accumulated"], ...t.adjoint!.map((r) => [
      statement(r),
      r.detail !== null ? `= ${r.detail}` : "",
      fmtValue(r.value, digits),
      r.total !== undefined ? `${r.lhs} = ${fmtValue(r.total, digits)}` : "",
    ])];
    out.push(...columns(lines));
  }
  return out.join("\n");
}
