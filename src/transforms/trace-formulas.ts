/**
 * Readable formulas for `traceTable`: for each primitive, how its primal row,
 * its tangent row (forward mode) and its adjoint contributions (reverse mode)
 * read on paper. Elementwise primitives only give their local partial
 * derivatives ∂out/∂arg; the tangent and adjoint texts are built from those:
 *
 *   v̇out = Σ_i v̇arg_i · ∂out/∂arg_i        v̄arg_i += v̄out · ∂out/∂arg_i
 *
 * Anything without an entry falls back to a generic `name(args)` with the
 * partials written symbolically (∂v5/∂v3), which is always true.
 */

/** What a formula knows about one primitive application. */
export interface FormulaContext {
  /** Operand texts: variable names (`v3`) or inline constants (`2`). */
  args: string[];
  /** The numeric value of each operand that is a rank-0 constant, else null. */
  constants: (number | null)[];
  /** The (first) output's name. */
  out: string;
  params: Record<string, unknown>;
  inShapes: (readonly number[])[];
  outShape: readonly number[];
}

interface PrimFormula {
  primal(c: FormulaContext): string;
  /** ∂out/∂args[i] as text (elementwise primitives). */
  partial?(c: FormulaContext, i: number): string;
  /** Tangent of the output from the operands' tangent names (null = a constant, no tangent). */
  tangent?(c: FormulaContext, dots: (string | null)[]): string;
  /** The cotangent that flows to args[i], from the output's cotangent name `ct`. */
  adjoint?(c: FormulaContext, i: number, ct: string): string;
}

/** Puts a dot over a name: v3 → v̇3, x0 → ẋ0. */
export function dotted(name: string): string {
  return (name.slice(0, 1) + "\u0307").normalize("NFC") + name.slice(1);
}

/** Puts a bar over a name: v3 → v̄3, y → ȳ. */
export function barred(name: string): string {
  return (name.slice(0, 1) + "\u0304").normalize("NFC") + name.slice(1);
}

/**
 * Wraps an expression in parentheses unless it already reads as one factor:
 * a name, a number, a call, a bracket, or a product of those.
 */
function wrap(s: string): string {
  if (s.startsWith("-")) return `(${s})`;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === "(" || ch === "[") depth++;
    else if (ch === ")" || ch === "]") depth--;
    else if (depth === 0 && (ch === " " || ch === "/")) return `(${s})`;
  }
  return s;
}

/** A constant exponent c gives "c·a^(c−1)" with the numbers worked out. */
function powPartialBase(c: FormulaContext): string {
  const [a, b] = c.args as [string, string];
  const k = c.constants[1];
  if (k === null || k === undefined) return `${wrap(b)}·${wrap(a)}^(${b} - 1)`;
  if (k === 0) return "0";
  if (k === 1) return "1";
  const e = k - 1;
  const power = e === 1 ? wrap(a) : `${wrap(a)}^${fmtConst(e)}`;
  return `${fmtConst(k)}·${power}`;
}

export function fmtConst(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return Number.isNaN(v) ? "NaN" : v > 0 ? "Inf" : "-Inf";
  return String(Number(v.toPrecision(4)));
}

const unaryCall = (name: string) => (c: FormulaContext) => `${name}(${c.args[0]})`;
const binaryInfix = (op: string) => (c: FormulaContext) => `${wrap(c.args[0]!)} ${op} ${wrap(c.args[1]!)}`;
const shapeText = (s: readonly unknown[]) => `[${s.join(", ")}]`;

/** Applies a linear primitive's primal formula to the tangents (linear maps commute with d). */
const linearTangent = (f: PrimFormula["primal"]) => (c: FormulaContext, dots: (string | null)[]) =>
  f({ ...c, args: c.args.map((a, i) => dots[i] ?? (i === 0 ? "0" : a)) });

const FORMULAS: Record<string, PrimFormula> = {
  add: { primal: binaryInfix("+"), partial: () => "1" },
  sub: { primal: binaryInfix("-"), partial: (_c, i) => (i === 0 ? "1" : "-1") },
  mul: {
    primal: (c) => (c.constants[1] !== null && c.constants[0] === null ? `${wrap(c.args[1]!)}·${wrap(c.args[0]!)}` : `${wrap(c.args[0]!)}·${wrap(c.args[1]!)}`),
    partial: (c, i) => c.args[1 - i]!,
    tangent: (c, [da, db]) => {
      const [a, b] = c.args as [string, string];
      const left = da && (c.constants[1] !== null ? `${wrap(b)}·${da}` : `${da}·${wrap(b)}`);
      const right = db && `${wrap(a)}·${db}`;
      return [left, right].filter(Boolean).join(" + ") || "0";
    },
  },
  div: {
    primal: binaryInfix("/"),
    partial: (c, i) => (i === 0 ? `1/${wrap(c.args[1]!)}` : `-${wrap(c.args[0]!)}/${wrap(c.args[1]!)}^2`),
  },
  pow: {
    primal: (c) => `${wrap(c.args[0]!)}^${wrap(c.args[1]!)}`,
    partial: (c, i) => (i === 0 ? powPartialBase(c) : `log(${c.args[0]})·${c.out}`),
  },
  max: { primal: (c) => `max(${c.args.join(", ")})`, partial: (c, i) => `[${c.args[i]} > ${c.args[1 - i]}]` },
  min: { primal: (c) => `min(${c.args.join(", ")})`, partial: (c, i) => `[${c.args[i]} < ${c.args[1 - i]}]` },
  atan2: {
    primal: (c) => `atan2(${c.args.join(", ")})`,
    partial: (c, i) => {
      const [a, b] = c.args as [string, string];
      const r = `(${wrap(a)}^2 + ${wrap(b)}^2)`;
      return i === 0 ? `${wrap(b)}/${r}` : `-${wrap(a)}/${r}`;
    },
  },
  rem: { primal: (c) => `rem(${c.args.join(", ")})`, partial: (c, i) => (i === 0 ? "1" : `-floor(${c.args[0]}/${c.args[1]})`) },
  neg: { primal: (c) => `-${wrap(c.args[0]!)}`, partial: () => "-1" },
  exp: { primal: unaryCall("exp"), partial: (c) => `exp(${c.args[0]})` },
  log: { primal: unaryCall("log"), partial: (c) => `1/${wrap(c.args[0]!)}` },
  log1p: { primal: unaryCall("log1p"), partial: (c) => `1/(1 + ${c.args[0]})` },
  expm1: { primal: unaryCall("expm1"), partial: (c) => `exp(${c.args[0]})` },
  sqrt: { primal: unaryCall("sqrt"), partial: (c) => `1/(2·${c.out})` },
  sin: { primal: unaryCall("sin"), partial: (c) => `cos(${c.args[0]})` },
  cos: { primal: unaryCall("cos"), partial: (c) => `-sin(${c.args[0]})` },
  tan: { primal: unaryCall("tan"), partial: (c) => `1 + ${c.out}^2` },
  tanh: { primal: unaryCall("tanh"), partial: (c) => `1 - ${c.out}^2` },
  sinh: { primal: unaryCall("sinh"), partial: (c) => `cosh(${c.args[0]})` },
  cosh: { primal: unaryCall("cosh"), partial: (c) => `sinh(${c.args[0]})` },
  asin: { primal: unaryCall("asin"), partial: (c) => `1/sqrt(1 - ${wrap(c.args[0]!)}^2)` },
  acos: { primal: unaryCall("acos"), partial: (c) => `-1/sqrt(1 - ${wrap(c.args[0]!)}^2)` },
  atan: { primal: unaryCall("atan"), partial: (c) => `1/(1 + ${wrap(c.args[0]!)}^2)` },
  logistic: { primal: unaryCall("σ"), partial: (c) => `${c.out}·(1 - ${c.out})` },
  erf: { primal: unaryCall("erf"), partial: (c) => `2/sqrt(π)·exp(-${wrap(c.args[0]!)}^2)` },
  abs: { primal: (c) => `|${c.args[0]}|`, partial: (c) => `sign(${c.args[0]})` },
  sign: { primal: unaryCall("sign"), partial: () => "0" },
  floor: { primal: unaryCall("floor"), partial: () => "0" },
  ceil: { primal: unaryCall("ceil"), partial: () => "0" },
  round: { primal: unaryCall("round"), partial: () => "0" },
  cast: { primal: (c) => `${String(c.params["dtype"])}(${c.args[0]})`, partial: () => "1" },
  stop_gradient: { primal: unaryCall("stopGradient"), partial: () => "0" },
  select: {
    primal: (c) => `${c.args[0]} ? ${c.args[1]} : ${c.args[2]}`,
    partial: (c, i) => (i === 0 ? "0" : i === 1 ? `[${c.args[0]}]` : `[not ${c.args[0]}]`),
  },
  eq: { primal: binaryInfix("=="), partial: () => "0" },
  ne: { primal: binaryInfix("!="), partial: () => "0" },
  lt: { primal: binaryInfix("<"), partial: () => "0" },
  le: { primal: binaryInfix("<="), partial: () => "0" },
  gt: { primal: binaryInfix(">"), partial: () => "0" },
  ge: { primal: binaryInfix(">="), partial: () => "0" },
  reduce_sum: {
    primal: (c) => reduceText("sum", c),
    tangent: (c, dots) => reduceText("sum", { ...c, args: [dots[0] ?? "0"] }),
    adjoint: (_c, _i, ct) => `broadcast(${ct})`,
  },
  reduce_max: { primal: (c) => reduceText("max", c), adjoint: (c, _i, ct) => `${ct}·[${c.args[0]} == ${c.out}]` },
  reduce_min: { primal: (c) => reduceText("min", c), adjoint: (c, _i, ct) => `${ct}·[${c.args[0]} == ${c.out}]` },
  reduce_prod: { primal: (c) => reduceText("prod", c), adjoint: (c, _i, ct) => `${ct}·${c.out}/${c.args[0]}` },
  dot: {
    primal: (c) => `${wrap(c.args[0]!)} @ ${wrap(c.args[1]!)}`,
    tangent: (c, [da, db]) => {
      const [a, b] = c.args as [string, string];
      return [da && `${da} @ ${wrap(b)}`, db && `${wrap(a)} @ ${db}`].filter(Boolean).join(" + ");
    },
    adjoint: (c, i, ct) => (i === 0 ? `${ct} @ ${wrap(c.args[1]!)}ᵀ` : `${wrap(c.args[0]!)}ᵀ @ ${ct}`),
  },
  reshape: {
    primal: (c) => `reshape(${c.args[0]}, ${shapeText(c.outShape)})`,
    adjoint: (c, _i, ct) => `reshape(${ct}, ${shapeText(c.inShapes[0]!)})`,
  },
  broadcast_to: {
    primal: (c) => `broadcast(${c.args[0]}, ${shapeText(c.outShape)})`,
    adjoint: (c, _i, ct) => `sumTo(${ct}, ${shapeText(c.inShapes[0]!)})`,
  },
  transpose: {
    primal: (c) => (isMatrixTranspose(c.params["perm"]) ? `${wrap(c.args[0]!)}ᵀ` : `transpose(${c.args[0]}, ${shapeText(c.params["perm"] as number[])})`),
    adjoint: (c, _i, ct) => {
      const perm = c.params["perm"] as number[];
      const inv = new Array<number>(perm.length);
      perm.forEach((p, k) => (inv[p] = k));
      return isMatrixTranspose(perm) ? `${wrap(ct)}ᵀ` : `transpose(${ct}, ${shapeText(inv)})`;
    },
  },
  slice: {
    primal: (c) => {
      const { starts, limits, strides } = c.params as { starts: number[]; limits: number[]; strides: number[] };
      const parts = starts.map((s, k) => `${s}:${limits[k]}${strides[k] !== 1 ? `:${strides[k]}` : ""}`);
      return `${wrap(c.args[0]!)}[${parts.join(", ")}]`;
    },
    adjoint: (c, _i, ct) => `padTo(${ct}, ${shapeText(c.inShapes[0]!)})`,
  },
  rev: { primal: (c) => `flip(${c.args[0]}, ${shapeText(c.params["axes"] as number[])})`, adjoint: (c, _i, ct) => `flip(${ct}, ${shapeText(c.params["axes"] as number[])})` },
  concatenate: { primal: (c) => `concat([${c.args.join(", ")}], ${String(c.params["axis"])})`, adjoint: (_c, i, ct) => `part ${i} of ${ct}` },
  gather: {
    primal: (c) => `take(${c.args[0]}, ${c.args[1]}, ${String(c.params["axis"])})`,
    adjoint: (c, _i, ct) => `scatterAdd(0, ${c.args[1]}, ${ct})`,
  },
  cumsum: { primal: (c) => `cumsum(${c.args[0]}, ${String(c.params["axis"])})`, adjoint: (c, _i, ct) => `reverseCumsum(${ct}, ${String(c.params["axis"])})` },
};

/** Linear primitives whose tangent is the same map applied to the tangent. */
for (const name of ["reshape", "broadcast_to", "transpose", "slice", "rev", "concatenate", "gather", "cumsum"]) {
  FORMULAS[name]!.tangent = linearTangent(FORMULAS[name]!.primal);
}

function isMatrixTranspose(perm: unknown): boolean {
  return Array.isArray(perm) && perm.length === 2 && perm[0] === 1 && perm[1] === 0;
}

function reduceText(op: string, c: FormulaContext): string {
  const axes = (c.params["axes"] as number[]) ?? [];
  const all = axes.length === c.inShapes[0]!.length;
  return all ? `${op}(${c.args[0]})` : `${op}(${c.args[0]}, axes=${shapeText(axes)})`;
}

/** Small parameters (numbers, strings, short number lists) are shown; sub-programs and the like only by name. */
function paramText(key: string, v: unknown): string {
  const simple = typeof v === "number" || typeof v === "string" || typeof v === "boolean";
  const shortList = Array.isArray(v) && v.length <= 8 && v.every((e) => typeof e === "number");
  return simple || shortList ? `${key}=${JSON.stringify(v)}` : `${key}=…`;
}

function genericPrimal(name: string, c: FormulaContext): string {
  const params = Object.entries(c.params ?? {}).map(([k, v]) => paramText(k, v));
  return `${name}(${[...c.args, ...params].join(", ")})`;
}

/** The symbolic partial derivative ∂out/∂arg. */
export function symbolicPartial(out: string, arg: string): string {
  return `∂${out}/∂${arg}`;
}

export function primalText(name: string, c: FormulaContext): string {
  return FORMULAS[name]?.primal(c) ?? genericPrimal(name, c);
}

/** One term dot·partial, written the way a person would (2·v̇0, v̇1·cos(v1), -v̇1). */
function tangentTerm(dot: string, partial: string): { text: string; negative: boolean } | null {
  if (partial === "0") return null;
  if (partial === "1") return { text: dot, negative: false };
  if (partial === "-1") return { text: dot, negative: true };
  if (/^-?[\d.]+$/.test(partial)) return { text: `${partial}·${dot}`, negative: false };
  if (partial.startsWith("∂")) return { text: `${partial}·${dot}`, negative: false };
  const lead = /^([\d.]+)·(.+)$/.exec(partial);
  if (lead) return { text: `${lead[1]}·${dot}·${wrap(lead[2]!)}`, negative: false };
  return { text: `${dot}·${wrap(partial)}`, negative: false };
}

/** The tangent row's right-hand side; `dots[i]` is null for constant operands. */
export function tangentText(name: string, c: FormulaContext, dots: (string | null)[]): string {
  const f = FORMULAS[name];
  if (f?.tangent) return f.tangent(c, dots);
  const terms: { text: string; negative: boolean }[] = [];
  dots.forEach((d, i) => {
    if (d === null) return;
    const partial = f?.partial ? f.partial(c, i) : symbolicPartial(c.out, c.args[i]!);
    const term = tangentTerm(d, partial);
    if (term) terms.push(term);
  });
  if (terms.length === 0) return "0";
  return terms.map((t, k) => (k === 0 ? (t.negative ? `-${t.text}` : t.text) : `${t.negative ? " - " : " + "}${t.text}`)).join("");
}

/**
 * The cotangent flowing to args[i], written out (e.g. `v̄4·v3`, `v̄5 @ v2ᵀ`).
 * Elementwise contributions are summed back to the operand's shape when it was broadcast.
 */
export function adjointText(name: string, c: FormulaContext, i: number, ct: string): string {
  const f = FORMULAS[name];
  if (f?.adjoint) return f.adjoint(c, i, ct);
  const partial = f?.partial ? f.partial(c, i) : symbolicPartial(c.out, c.args[i]!);
  const text = partial === "1" || partial.startsWith("∂") ? `${ct}·${partial}` : `${ct}·${wrap(partial)}`;
  const inShape = c.inShapes[i]!;
  const broadcast = inShape.length !== c.outShape.length || inShape.some((d, k) => d !== c.outShape[k]);
  return broadcast ? `sumTo(${text}, ${shapeText(inShape)})` : text;
}
