/**
 * One record per differentiable primitive or public op: how to call it, a
 * float64 reference written independently (nd.ts, nd-ops.ts), the input
 * shapes and parameters to try, and the input domain (chosen away from
 * singularities and kinks so finite differences are meaningful).
 * run-records.ts expands every record over its cases × dtypes × seeds.
 *
 * Not here (other suites own them): conv, reduce_window_max and its
 * gradient pair select_and_gather_add / select_and_scatter_add (pool.test.ts), random_bits and
 * the linalg primitives.
 */
import * as fx from "../../src/index.js";
import * as lax from "../../src/primitives/lax.js";
import { Nd, alongAxis, einsumRef, lseOf, map1, mapN, prodOf, reduce, sumOf, varOf } from "./nd.js";
import {
  broadcastToRef, concatRef, flipRef, matmulRef, padRef, repeatRef, scatterAddRef, sliceRef, stackRef, takeRef, tileRef, transposeRef,
  type RefSpec,
} from "./nd-ops.js";
import type { Rng } from "./random.js";
import type { Tol } from "./compare.js";

type T = fx.Tensor;
export type Sampler = (rng: Rng) => number;

export interface OpCase<P = any> {
  /** Shapes of the tensor inputs. */
  shapes: number[][];
  /** Op parameters (axes, indices, specs...). */
  p?: P;
  /** False where derivatives are undefined for this case (e.g. the mean of an empty axis is NaN). */
  grad?: boolean;
}

export interface OpRecord<P = any> {
  name: string;
  make: (p: P) => (...xs: T[]) => unknown;
  ref: (p: P) => (...xs: Nd[]) => Nd | Nd[];
  cases: OpCase<P>[];
  /** Input sampler, one for all inputs or one per input (default uniform(−2, 2)). */
  domain?: Sampler | Sampler[];
  /** Differentiable (default true): runs the finite-difference and vmap-of-grad checks. */
  grad?: boolean;
  /** Dtype of the outputs when it is not the inputs' (bool for comparisons, int32 for argmax). */
  outDType?: fx.DType;
  /** Looser float32 tolerance where float32 rounding of intermediates adds up. */
  tol32?: Tol;
}

// ---- samplers ----------------------------------------------------------------------------

export const uniform = (lo: number, hi: number): Sampler => (rng) => rng.uniform(lo, hi);
/** |x| in [lo, hi] with a random sign: away from 0 (for abs, sign, relu, 1/x). */
export const awayFromZero = (lo = 0.3, hi = 2): Sampler => (rng) => (rng.next() < 0.5 ? -1 : 1) * rng.uniform(lo, hi);
/** Far from integers and half-integers (for floor, ceil, round). */
export const offGrid: Sampler = (rng) => rng.int(-3, 3) + (rng.next() < 0.5 ? rng.uniform(0.1, 0.4) : rng.uniform(0.6, 0.9));
/** Small integers, so comparisons see ties. */
export const smallInts: Sampler = (rng) => rng.int(-2, 3);
const DEFAULT = uniform(-2, 2);

export function samplerFor(r: OpRecord, k: number): Sampler {
  const d = r.domain;
  if (d === undefined) return DEFAULT;
  return Array.isArray(d) ? d[k] ?? DEFAULT : d;
}

// ---- shape sets ----------------------------------------------------------------------------

/** Unary shapes: rank 0, size 1, odd sizes, size 0. */
const UNARY_SHAPES: number[][][] = [[[]], [[1]], [[5]], [[2, 3]], [[0]], [[3, 0, 2]]];

/** Binary pairs: equal, scalar, broadcasting both ways, 0-vs-1 broadcasting. */
const BINARY_SHAPES: number[][][] = [
  [[], []], [[5], [5]], [[2, 3], [3]], [[3, 1], [1, 4]], [[], [2, 3]], [[2, 1, 3], [4, 1]], [[0], [1]], [[1, 0], [3, 1]], [[2, 0], [2, 1]],
];

const unaryCases = UNARY_SHAPES.map((shapes) => ({ shapes }));
const binaryCases = BINARY_SHAPES.map((shapes) => ({ shapes }));

// ---- elementwise ---------------------------------------------------------------------------

const erfRef = (x: number) => {
  // Maclaurin series; converges in float64 to ~1e-15 for |x| ≤ 3.
  let term = x, sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
};

const roundHalfEven = (x: number) => {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function unary(name: string, f: (x: T) => T, ref: (v: number) => number, domain?: Sampler, extra: Partial<OpRecord> = {}): OpRecord {
  return { name, make: () => f, ref: () => (x) => map1(x, ref), cases: unaryCases, domain, ...extra };
}

export const UNARY_RECORDS: OpRecord[] = [
  unary("neg", fx.neg, (v) => -v),
  unary("exp", fx.exp, Math.exp),
  unary("log", fx.log, Math.log, uniform(0.2, 3)),
  unary("log1p", fx.log1p, Math.log1p, uniform(-0.6, 3)),
  unary("expm1", fx.expm1, Math.expm1),
  unary("sqrt", fx.sqrt, Math.sqrt, uniform(0.2, 3)),
  unary("rsqrt", fx.rsqrt, (v) => 1 / Math.sqrt(v), uniform(0.3, 3)),
  unary("square", fx.square, (v) => v * v),
  unary("reciprocal", fx.reciprocal, (v) => 1 / v, awayFromZero(0.4, 2)),
  unary("sin", fx.sin, Math.sin, uniform(-4, 4)),
  unary("cos", fx.cos, Math.cos, uniform(-4, 4)),
  unary("tan", fx.tan, Math.tan, uniform(-1.2, 1.2)),
  unary("tanh", fx.tanh, Math.tanh, uniform(-3, 3)),
  unary("arcsin", fx.arcsin, Math.asin, uniform(-0.85, 0.85)),
  unary("arccos", fx.arccos, Math.acos, uniform(-0.85, 0.85)),
  unary("arctan", fx.arctan, Math.atan, uniform(-3, 3)),
  unary("sinh", fx.sinh, Math.sinh),
  unary("cosh", fx.cosh, Math.cosh),
  unary("erf", fx.erf, erfRef, uniform(-2.5, 2.5)),
  unary("abs", fx.abs, Math.abs, awayFromZero()),
  unary("sign", fx.sign, Math.sign, awayFromZero()),
  unary("floor", fx.floor, Math.floor, offGrid),
  unary("ceil", fx.ceil, Math.ceil, offGrid),
  unary("round (half to even)", fx.round, roundHalfEven, offGrid),
  unary("sigmoid", fx.sigmoid, (v) => 1 / (1 + Math.exp(-v)), uniform(-5, 5)),
  unary("relu", fx.relu, (v) => Math.max(v, 0), awayFromZero(0.2, 2)),
  unary("softplus", fx.softplus, (v) => Math.log1p(Math.exp(v)), uniform(-5, 5)),
  unary("x.mul(2).add(1) (weak scalars keep the dtype)", (x) => x.mul(2).add(1), (v) => 2 * v + 1),
  unary("pow(x, 3) with a JS exponent", (x) => fx.pow(x, 3), (v) => v ** 3),
  unary("astype int32 (truncates toward zero)", (x) => x.astype("int32"), Math.trunc, offGrid, { grad: false, outDType: "int32" }),
  unary("astype bool (nonzero)", (x) => x.astype("bool"), (v) => +(v !== 0), smallInts, { grad: false, outDType: "bool" }),
  unary("astype float64 (widening is exact)", (x) => x.astype("float64"), (v) => v, undefined, { outDType: "float64" }),
  unary("int32 round trip: astype int32 then float32", (x) => x.astype("int32").astype("float32"), Math.trunc, offGrid, { grad: false, outDType: "float32" }),
  unary("isNan", fx.isNan, (v) => (Number.isNaN(v) ? 1 : 0), undefined, { grad: false, outDType: "bool" }),
  unary("isFinite", fx.isFinite, (v) => (Number.isFinite(v) ? 1 : 0), undefined, { grad: false, outDType: "bool" }),
  unary("logicalNot", fx.logicalNot, (v) => (v === 0 ? 1 : 0), smallInts, { grad: false, outDType: "bool" }),
];

function binary(name: string, f: (x: T, y: T) => T, ref: (a: number, b: number) => number, domain?: Sampler[], extra: Partial<OpRecord> = {}): OpRecord {
  return { name, make: () => f, ref: () => (a, b) => mapN([a!, b!], ref), cases: binaryCases, domain, ...extra };
}

const remRef = (a: number, b: number) => a - b * Math.floor(a / b);

export const BINARY_RECORDS: OpRecord[] = [
  binary("add", fx.add, (a, b) => a + b),
  binary("sub", fx.sub, (a, b) => a - b),
  binary("mul", fx.mul, (a, b) => a * b),
  binary("div", fx.div, (a, b) => a / b, [DEFAULT, awayFromZero(0.5, 2)]),
  binary("pow", fx.pow, Math.pow, [uniform(0.4, 2), uniform(-2, 2)]),
  binary("maximum", fx.maximum, Math.max),
  binary("minimum", fx.minimum, Math.min),
  binary("arctan2", fx.arctan2, Math.atan2, [DEFAULT, awayFromZero(0.3, 2)]),
  binary("mod", fx.mod, remRef, [uniform(-3, 3), uniform(0.7, 2)]),
  binary("floorDivide", fx.floorDivide, (a, b) => Math.floor(a / b), [offGrid, uniform(0.7, 2)], { grad: false }),
  binary("equal", fx.equal, (a, b) => +(a === b), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("notEqual", fx.notEqual, (a, b) => +(a !== b), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("less", fx.less, (a, b) => +(a < b), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("lessEqual", fx.lessEqual, (a, b) => +(a <= b), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("greater", fx.greater, (a, b) => +(a > b), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("greaterEqual", fx.greaterEqual, (a, b) => +(a >= b), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("logicalAnd", fx.logicalAnd, (a, b) => +(a !== 0 && b !== 0), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("logicalOr", fx.logicalOr, (a, b) => +(a !== 0 || b !== 0), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  binary("logicalXor", fx.logicalXor, (a, b) => +((a !== 0) !== (b !== 0)), [smallInts, smallInts], { grad: false, outDType: "bool" }),
  {
    name: "where(c > 0, a, b) (select, three-way broadcasting)",
    make: () => (c, a, b) => fx.where(fx.greater(c!, 0), a!, b!),
    ref: () => (c, a, b) => mapN([c!, a!, b!], (cv, av, bv) => (cv > 0 ? av : bv)),
    cases: [
      { shapes: [[2, 3], [2, 3], [2, 3]] }, { shapes: [[3], [2, 3], []] }, { shapes: [[2, 1], [1, 3], [2, 3]] },
      { shapes: [[], [], []] }, { shapes: [[0], [1], [1]] }, { shapes: [[4, 1], [], [1, 0]] },
    ],
    domain: [awayFromZero(0.1, 1), DEFAULT, DEFAULT],
  },
  {
    name: "clip(x, lo, hi) with tensor bounds",
    make: () => (x, lo, hi) => fx.clip(x!, lo!, hi!),
    ref: () => (x, lo, hi) => mapN([x!, lo!, hi!], (v, l, h) => Math.min(Math.max(v, l), h)),
    cases: [{ shapes: [[5], [5], [5]] }, { shapes: [[2, 3], [], [3]] }, { shapes: [[], [], []] }, { shapes: [[0], [], []] }, { shapes: [[2, 3], [2, 1], []] }],
    domain: [uniform(-3, 3), uniform(-2, -0.5), uniform(0.5, 2)],
  },
  {
    name: "clip(x, -0.5, 0.7) with JS bounds",
    make: () => (x) => fx.clip(x!, -0.5, 0.7),
    ref: () => (x) => map1(x!, (v) => Math.min(Math.max(v, -0.5), 0.7)),
    cases: unaryCases,
  },
];

// ---- reductions ----------------------------------------------------------------------------

interface RedP {
  axis?: number | number[];
  keepdims?: boolean;
}

/** Axis subsets, keepdims, rank 0, an empty axes list, reducing a size-0 axis and reducing a size-0 tensor elsewhere. */
const REDUCE_CASES: OpCase<RedP>[] = [
  { shapes: [[]], p: {} },
  { shapes: [[5]], p: {} },
  { shapes: [[2, 3]], p: { axis: 0 } },
  { shapes: [[2, 3]], p: { axis: -1, keepdims: true } },
  { shapes: [[2, 3, 4]], p: { axis: [0, 2] } },
  { shapes: [[2, 3, 4]], p: { axis: [1], keepdims: true } },
  { shapes: [[2, 3]], p: { axis: [] } },
  { shapes: [[0, 3]], p: { axis: 1 } },
];
const EMPTY_AXIS_CASES: OpCase<RedP>[] = [
  { shapes: [[3, 0]], p: { axis: 1 } },
  { shapes: [[0]], p: {} },
];

const axesOf = (p: RedP): number[] | undefined => (p.axis === undefined ? undefined : typeof p.axis === "number" ? [p.axis] : p.axis);

type Reducer = (x: T, axis?: number | number[], keepdims?: boolean) => T;

function reduction(name: string, f: Reducer, ref: (v: number[]) => number, opts: { empty?: "ok" | "nan"; domain?: Sampler; tol32?: Tol } = {}): OpRecord<RedP> {
  const emptyCases = opts.empty === undefined ? [] : EMPTY_AXIS_CASES.map((c) => ({ ...c, grad: opts.empty === "ok" }));
  return {
    name,
    make: (p) => (x) => f(x!, p.axis, p.keepdims),
    ref: (p) => (x) => reduce(x!, axesOf(p), ref, p.keepdims),
    cases: [...REDUCE_CASES, ...emptyCases],
    domain: opts.domain,
    tol32: opts.tol32,
  };
}

const maxOf = (v: number[]) => v.reduce((a, b) => Math.max(a, b), -Infinity);
const minOf = (v: number[]) => v.reduce((a, b) => Math.min(a, b), Infinity);

export const REDUCE_RECORDS: OpRecord[] = [
  reduction("sum", fx.sum, sumOf, { empty: "ok" }),
  reduction("prod", fx.prod, prodOf, { empty: "ok", domain: awayFromZero(0.5, 1.5) }),
  reduction("max", fx.max, maxOf),
  reduction("min", fx.min, minOf),
  reduction("mean", fx.mean, (v) => sumOf(v) / v.length, { empty: "nan" }),
  reduction("var", (x, a, k) => fx.var(x, a, k), (v) => varOf(v), { empty: "nan" }),
  reduction("std", (x, a, k) => fx.std(x, a, k), (v) => Math.sqrt(varOf(v)), { empty: "nan" }),
  reduction("logsumexp", fx.logsumexp, lseOf, { empty: "ok" }),
  {
    name: "var/std with ddof = 1",
    make: (p: { axis: number }) => (x) => [fx.var(x!, p.axis, false, 1), fx.std(x!, p.axis, true, 1)],
    ref: (p) => (x) => [reduce(x!, [p.axis], (v) => varOf(v, 1)), reduce(x!, [p.axis], (v) => Math.sqrt(varOf(v, 1)), true)],
    cases: [{ shapes: [[4]], p: { axis: 0 } }, { shapes: [[3, 5]], p: { axis: -1 } }, { shapes: [[2, 3, 2]], p: { axis: 1 } }],
  },
  {
    name: "argmax",
    make: (p: RedP & { axis?: number }) => (x) => fx.argmax(x!, p.axis, p.keepdims),
    ref: (p) => (x) => (p.axis === undefined ? reduce(new Nd([x!.size], x!.data), undefined, argOf(true), false) : reduce(x!, [p.axis], argOf(true), p.keepdims)),
    cases: [{ shapes: [[5]], p: {} }, { shapes: [[2, 3]], p: { axis: 0 } }, { shapes: [[2, 3]], p: { axis: -1, keepdims: true } }, { shapes: [[]], p: {} }, { shapes: [[2, 3, 4]], p: {} }, { shapes: [[0, 3]], p: { axis: 1 } }],
    domain: smallInts, // ties: the first index wins
    grad: false,
    outDType: "int32",
  },
  {
    name: "argmin",
    make: (p: RedP & { axis?: number }) => (x) => fx.argmin(x!, p.axis, p.keepdims),
    ref: (p) => (x) => (p.axis === undefined ? reduce(new Nd([x!.size], x!.data), undefined, argOf(false), false) : reduce(x!, [p.axis], argOf(false), p.keepdims)),
    cases: [{ shapes: [[5]], p: {} }, { shapes: [[2, 3]], p: { axis: 1 } }, { shapes: [[3, 2]], p: { axis: 0, keepdims: true } }, { shapes: [[]], p: {} }, { shapes: [[2, 0]], p: { axis: 0 } }],
    domain: smallInts,
    grad: false,
    outDType: "int32",
  },
  {
    name: "cumsum",
    make: (p: { axis?: number }) => (x) => fx.cumsum(x!, p.axis),
    ref: (p) => (x) => (p.axis === undefined ? alongAxis(new Nd([x!.size], x!.data), 0, cums) : alongAxis(x!, p.axis, cums)),
    cases: [{ shapes: [[5]], p: { axis: 0 } }, { shapes: [[2, 3]], p: { axis: -1 } }, { shapes: [[3, 2]], p: { axis: 0 } }, { shapes: [[2, 3]], p: {} }, { shapes: [[]], p: {} }, { shapes: [[0]], p: { axis: 0 } }, { shapes: [[2, 0]], p: { axis: 1 } }],
  },
  {
    name: "lax.cumsum reverse (the primitive's own parameter)",
    make: (p: { axis: number }) => (x) => lax.cumsum(x!, p.axis, true),
    ref: (p) => (x) => alongAxis(x!, p.axis, (l) => cums([...l].reverse()).reverse()),
    cases: [{ shapes: [[5]], p: { axis: 0 } }, { shapes: [[2, 3]], p: { axis: 1 } }, { shapes: [[3, 2]], p: { axis: 0 } }, { shapes: [[0]], p: { axis: 0 } }],
  },
  {
    name: "all / any (bool reductions)",
    make: (p: RedP) => (x) => [fx.all(x!, p.axis, p.keepdims), fx.any(x!, p.axis, p.keepdims)],
    ref: (p) => (x) => [reduce(x!, axesOf(p), (v) => +v.every((e) => e !== 0), p.keepdims), reduce(x!, axesOf(p), (v) => +v.some((e) => e !== 0), p.keepdims)],
    cases: [...REDUCE_CASES, ...EMPTY_AXIS_CASES],
    domain: (rng) => (rng.next() < 0.7 ? 1 : 0),
    grad: false,
    outDType: "bool",
  },
];

function argOf(isMax: boolean) {
  return (v: number[]) => {
    let best = 0;
    for (let i = 1; i < v.length; i++) if (isMax ? v[i]! > v[best]! : v[i]! < v[best]!) best = i;
    return best;
  };
}

function cums(l: number[]): number[] {
  let s = 0;
  return l.map((v) => (s += v));
}

// ---- shape ops -----------------------------------------------------------------------------

const reshapeLike = (x: Nd, shape: number[]) => {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return new Nd(shape.map((d) => (d === -1 ? x.size / known : d)), x.data);
};

export const SHAPE_RECORDS: OpRecord[] = [
  {
    name: "reshape (with −1)",
    make: (p: number[]) => (x) => fx.reshape(x!, p),
    ref: (p) => (x) => reshapeLike(x!, p),
    cases: [
      { shapes: [[2, 3]], p: [3, 2] }, { shapes: [[2, 3]], p: [-1] }, { shapes: [[6]], p: [2, -1] }, { shapes: [[]], p: [1, 1] },
      { shapes: [[0, 3]], p: [3, 0] }, { shapes: [[1]], p: [] }, { shapes: [[2, 3, 4]], p: [4, -1] },
    ],
  },
  {
    name: "broadcastTo",
    make: (p: number[]) => (x) => fx.broadcastTo(x!, p),
    ref: (p) => (x) => broadcastToRef(x!, p),
    cases: [{ shapes: [[3]], p: [2, 3] }, { shapes: [[2, 1]], p: [2, 4] }, { shapes: [[]], p: [3] }, { shapes: [[1]], p: [0] }, { shapes: [[1, 3]], p: [2, 0, 3] }, { shapes: [[2, 1, 1]], p: [2, 3, 2] }],
  },
  {
    name: "transpose",
    make: (p?: number[]) => (x) => fx.transpose(x!, p),
    ref: (p) => (x) => transposeRef(x!, p),
    cases: [{ shapes: [[2, 3]] }, { shapes: [[2, 3, 4]], p: [1, 2, 0] }, { shapes: [[]] }, { shapes: [[0, 2]] }, { shapes: [[2, 3, 4]], p: [-1, 0, 1] }, { shapes: [[5]] }],
  },
  {
    name: "x.T, moveaxis, swapaxes",
    make: (p: [number, number]) => (x) => [x!.T, fx.moveaxis(x!, p[0], p[1]), fx.swapaxes(x!, p[0], p[1])],
    ref: (p) => (x) => {
      const n = x!.ndim;
      const [s, d] = p.map((a: number) => (a < 0 ? a + n : a)) as [number, number];
      const move = x!.shape.map((_, i) => i).filter((i) => i !== s);
      move.splice(d, 0, s);
      const swap = x!.shape.map((_, i) => (i === s ? d : i === d ? s : i));
      return [transposeRef(x!), transposeRef(x!, move), transposeRef(x!, swap)];
    },
    cases: [{ shapes: [[2, 3]], p: [0, 1] }, { shapes: [[2, 3, 4]], p: [0, -1] }, { shapes: [[2, 3, 4]], p: [2, 1] }, { shapes: [[3, 0, 1]], p: [1, 2] }, { shapes: [[5]], p: [0, 0] }],
  },
  {
    name: "squeeze / expandDims / flatten",
    make: (p: { sq?: number | number[]; ex: number | number[] }) => (x) => [fx.squeeze(x!, p.sq), fx.expandDims(x!, p.ex), fx.flatten(x!)],
    ref: (p) => (x) => {
      const sq = p.sq === undefined ? x!.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : (typeof p.sq === "number" ? [p.sq] : p.sq).map((a: number) => (a < 0 ? a + x!.ndim : a));
      const exList = typeof p.ex === "number" ? [p.ex] : p.ex;
      const rank = x!.ndim + exList.length;
      const ex = exList.map((a: number) => (a < 0 ? a + rank : a));
      const exShape: number[] = [];
      let k = 0;
      for (let i = 0; i < rank; i++) exShape.push(ex.includes(i) ? 1 : x!.shape[k++]!);
      return [new Nd(x!.shape.filter((_, i) => !sq.includes(i)), x!.data), new Nd(exShape, x!.data), new Nd([x!.size], x!.data)];
    },
    cases: [{ shapes: [[1, 3, 1]], p: { ex: 0 } }, { shapes: [[1, 3, 1]], p: { sq: 0, ex: -1 } }, { shapes: [[1]], p: { ex: [0, 2] } }, { shapes: [[]], p: { ex: 0 } }, { shapes: [[2, 1, 0]], p: { sq: -2, ex: 1 } }],
  },
  {
    name: "flip (rev)",
    make: (p?: number | number[]) => (x) => fx.flip(x!, p),
    ref: (p) => (x) => flipRef(x!, p === undefined ? undefined : typeof p === "number" ? [p] : p),
    cases: [{ shapes: [[2, 3]] }, { shapes: [[2, 3]], p: 0 }, { shapes: [[2, 3, 4]], p: [0, 2] }, { shapes: [[0]], p: 0 }, { shapes: [[]] }, { shapes: [[5]], p: -1 }],
  },
  {
    name: "slice with steps, negative steps, ints, new axes and ellipsis",
    make: (p: RefSpec[]) => (x) => x!.slice(...(p as fx.IndexSpec[])),
    ref: (p) => (x) => sliceRef(x!, p),
    cases: [
      { shapes: [[7]], p: ["::2"] }, { shapes: [[7]], p: ["::-1"] }, { shapes: [[7]], p: ["1:-1"] }, { shapes: [[3, 5]], p: [":", "::-2"] },
      { shapes: [[3, 5]], p: [1, ":"] }, { shapes: [[2, 3, 4]], p: ["...", 0] }, { shapes: [[3, 4]], p: [null, "1:"] },
      { shapes: [[6]], p: ["-2:"] }, { shapes: [[4]], p: ["5:"] }, { shapes: [[7]], p: [[null, null, -3]] }, { shapes: [[0]], p: ["::-1"] },
      { shapes: [[6, 2]], p: ["4:0:-1", -1] }, { shapes: [[5, 6]], p: [[-1, 0, -2], [1, null, 2]] }, { shapes: [[]], p: [null] },
    ],
  },
  {
    name: "pad (constant value)",
    make: (p: { w: fx.PadWidth; v?: number }) => (x) => fx.pad(x!, p.w, p.v),
    ref: (p) => (x) => {
      const pairs = typeof p.w === "number" ? x!.shape.map(() => [p.w, p.w]) : p.w.length === 2 && typeof p.w[0] === "number" ? x!.shape.map(() => p.w) : p.w;
      const ps = pairs as number[][];
      return padRef(x!, ps.map((q) => q[0]!), ps.map((q) => q[1]!), undefined, p.v ?? 0);
    },
    cases: [{ shapes: [[2, 3]], p: { w: 1 } }, { shapes: [[3]], p: { w: [1, 2], v: 1.5 } }, { shapes: [[2, 3]], p: { w: [[0, 1], [2, 0]], v: -2 } }, { shapes: [[0]], p: { w: [1, 1] } }, { shapes: [[]], p: { w: 0 } }, { shapes: [[1, 0, 2]], p: { w: [[1, 0], [0, 1], [1, 1]], v: 3 } }],
  },
  {
    name: "lax.pad with interior padding",
    make: (p: [number[], number[], number[]]) => (x) => lax.pad(x!, p[0], p[1], p[2]),
    ref: (p) => (x) => padRef(x!, p[0], p[1], p[2]),
    cases: [{ shapes: [[3]], p: [[1], [0], [2]] }, { shapes: [[2, 3]], p: [[0, 1], [1, 0], [1, 2]] }, { shapes: [[0]], p: [[1], [1], [1]] }, { shapes: [[1, 2]], p: [[2, 0], [0, 0], [3, 1]] }, { shapes: [[4]], p: [[0], [0], [0]] }],
  },
  {
    name: "concatenate",
    make: (p: number) => (...xs) => fx.concatenate(xs, p),
    ref: (p) => (...xs) => concatRef(xs, p),
    cases: [{ shapes: [[2, 3], [4, 3]], p: 0 }, { shapes: [[2, 3], [2, 1], [2, 0]], p: 1 }, { shapes: [[1], [2], [3]], p: 0 }, { shapes: [[2, 3], [2, 3]], p: -1 }, { shapes: [[0, 2], [0, 2]], p: 0 }],
  },
  {
    name: "stack",
    make: (p: number) => (...xs) => fx.stack(xs, p),
    ref: (p) => (...xs) => stackRef(xs, p),
    cases: [{ shapes: [[3], [3]], p: 0 }, { shapes: [[2, 3], [2, 3], [2, 3]], p: -1 }, { shapes: [[], []], p: 0 }, { shapes: [[0], [0]], p: 1 }, { shapes: [[2, 2], [2, 2]], p: 1 }],
  },
  {
    name: "split (equal parts and at indices)",
    make: (p: { s: number | number[]; axis?: number }) => (x) => fx.split(x!, p.s, p.axis),
    ref: (p) => (x) => {
      const a = p.axis === undefined ? 0 : p.axis < 0 ? p.axis + x!.ndim : p.axis;
      const n = x!.shape[a]!;
      const cuts = typeof p.s === "number" ? Array.from({ length: p.s - 1 }, (_, i) => ((i + 1) * n) / (p.s as number)) : p.s;
      const bounds = [0, ...cuts, n];
      return bounds.slice(1).map((hi, i) => sliceRef(x!, x!.shape.map((_, k) => (k === a ? `${bounds[i]}:${hi}` : ":"))));
    },
    cases: [{ shapes: [[6]], p: { s: 3 } }, { shapes: [[2, 6]], p: { s: [1, 4], axis: 1 } }, { shapes: [[4, 2]], p: { s: 2, axis: 0 } }, { shapes: [[0, 3]], p: { s: 1 } }, { shapes: [[5]], p: { s: [2, 2] } }],
  },
  {
    name: "tile",
    make: (p: number | number[]) => (x) => fx.tile(x!, p),
    ref: (p) => (x) => tileRef(x!, typeof p === "number" ? [p] : p),
    cases: [{ shapes: [[3]], p: 2 }, { shapes: [[2, 3]], p: [2, 1] }, { shapes: [[2]], p: [2, 1, 3] }, { shapes: [[]], p: 3 }, { shapes: [[0, 2]], p: [2, 2] }, { shapes: [[2, 2]], p: [1, 0] }],
  },
  {
    name: "repeat",
    make: (p: { r: number; axis?: number }) => (x) => fx.repeat(x!, p.r, p.axis),
    ref: (p) => (x) => repeatRef(x!, p.r, p.axis),
    cases: [{ shapes: [[3]], p: { r: 2 } }, { shapes: [[2, 3]], p: { r: 3, axis: 1 } }, { shapes: [[2, 3]], p: { r: 2 } }, { shapes: [[2]], p: { r: 0 } }, { shapes: [[]], p: { r: 2 } }, { shapes: [[3, 2]], p: { r: 2, axis: -2 } }],
  },
];

// ---- indexing ------------------------------------------------------------------------------

interface TakeP {
  idx: number[];
  idxShape: number[];
  axis?: number;
}
const idxTensor = (p: { idx: number[]; idxShape: number[] }) => fx.tensor(Int32Array.from(p.idx), { shape: p.idxShape });

export const INDEX_RECORDS: OpRecord[] = [
  {
    name: "take (gather) with negative and repeated indices",
    make: (p: TakeP) => (x) => fx.take(x!, idxTensor(p), p.axis),
    ref: (p) => (x) => takeRef(x!, p.idx, p.idxShape, p.axis),
    cases: [
      { shapes: [[5]], p: { idx: [0, 4, -1, 2, 2], idxShape: [5], axis: 0 } },
      { shapes: [[3, 4]], p: { idx: [0, 2, 1, 1], idxShape: [2, 2], axis: 1 } },
      { shapes: [[3, 4]], p: { idx: [2], idxShape: [1], axis: 0 } },
      { shapes: [[2, 3]], p: { idx: [1], idxShape: [], axis: 1 } },
      { shapes: [[2, 3]], p: { idx: [5, 0, -6], idxShape: [3] } },
      { shapes: [[3, 0]], p: { idx: [1, 1], idxShape: [2], axis: 0 } },
      { shapes: [[4]], p: { idx: [], idxShape: [0], axis: 0 } },
    ],
  },
  {
    name: "scatterAdd with repeated indices and broadcast updates",
    make: (p: TakeP & { axis: number }) => (x, u) => fx.scatterAdd(x!, idxTensor(p), u!, p.axis),
    ref: (p) => (x, u) => scatterAddRef(x!, p.idx, p.idxShape, u!, p.axis),
    cases: [
      { shapes: [[5], [3]], p: { idx: [1, 1, 3], idxShape: [3], axis: 0 } },
      { shapes: [[3, 4], [3, 4]], p: { idx: [0, 2, 0], idxShape: [3], axis: 0 } },
      { shapes: [[2, 5], [2, 2]], p: { idx: [4, -1], idxShape: [2], axis: 1 } },
      { shapes: [[4, 2], []], p: { idx: [3, 3, 0], idxShape: [3], axis: 0 } },
      { shapes: [[3, 2], [2, 2, 2]], p: { idx: [0, 1, 1, 2], idxShape: [2, 2], axis: 0 } },
      { shapes: [[3], [0]], p: { idx: [], idxShape: [0], axis: 0 } },
    ],
  },
  {
    name: "x.at(slice).set / .add",
    make: (p: { specs: RefSpec[] }) => (x, v) => [x!.at(...(p.specs as any[])).set(v!), x!.at(...(p.specs as any[])).add(v!)],
    ref: (p) => (x, v) => [atRef(x!, p.specs, v!, "set"), atRef(x!, p.specs, v!, "add")],
    cases: [
      { shapes: [[5], [3]], p: { specs: ["1:4"] } },
      { shapes: [[5], []], p: { specs: [1] } },
      { shapes: [[5], [3]], p: { specs: ["::-2"] } },
      { shapes: [[3, 4], [4]], p: { specs: [-1] } },
      { shapes: [[3, 4], [3, 1]], p: { specs: [":", "1::2"] } },
      { shapes: [[4], [0]], p: { specs: ["2:2"] } },
      { shapes: [[2, 3, 4], [2, 3]], p: { specs: ["...", 2] } },
    ],
  },
  {
    name: "x.at(indices).set / .add (tensor index along axis 0, repeated indices)",
    make: (p: TakeP) => (x, v) => [x!.at(idxTensor(p)).set(v!), x!.at(idxTensor(p)).add(v!)],
    ref: (p) => (x, v) => [atIndexSetRef(x!, p.idx, v!), scatterAddRef(x!, p.idx, p.idxShape, v!, 0)],
    cases: [
      { shapes: [[5], [3]], p: { idx: [0, 3, 1], idxShape: [3] } },
      { shapes: [[5], [3]], p: { idx: [1, 1, 4], idxShape: [3] } },
      { shapes: [[4, 2], [2, 2]], p: { idx: [3, -1], idxShape: [2] } },
      { shapes: [[4, 2], []], p: { idx: [2, 0], idxShape: [2] } },
      { shapes: [[3], [0]], p: { idx: [], idxShape: [0] } },
    ],
  },
];

/** x.at[specs].set(v) / .add(v) in NumPy terms: assign through the basic-indexing view. */
function atRef(x: Nd, specs: RefSpec[], v: Nd, mode: "set" | "add"): Nd {
  const marker = new Nd([...x.shape], Float64Array.from({ length: x.size }, (_, i) => i));
  const positions = sliceRef(marker, specs);
  const out = Float64Array.from(x.data);
  const vb = broadcastToRef(v, positions.shape);
  positions.data.forEach((pos, k) => {
    out[pos] = mode === "set" ? vb.data[k]! : out[pos]! + vb.data[k]!;
  });
  return new Nd([...x.shape], out);
}

/** x.at[idx].set(v) along axis 0: the last update of a repeated index wins (as NumPy's assignment). */
function atIndexSetRef(x: Nd, idx: number[], v: Nd): Nd {
  const rowShape = x.shape.slice(1);
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  const vb = broadcastToRef(v, [idx.length, ...rowShape]);
  const out = Float64Array.from(x.data);
  idx.forEach((i, j) => {
    const r = i < 0 ? i + x.shape[0]! : i;
    for (let k = 0; k < rowSize; k++) out[r * rowSize + k] = vb.data[j * rowSize + k]!;
  });
  return new Nd([...x.shape], out);
}

// ---- linear algebra products ---------------------------------------------------------------

export const LINEAR_RECORDS: OpRecord[] = [
  {
    name: "matmul (batched, broadcasting, 1-D operands)",
    make: () => (a, b) => fx.matmul(a!, b!),
    ref: () => (a, b) => matmulRef(a!, b!),
    cases: [
      { shapes: [[2, 3], [3, 4]] }, { shapes: [[3], [3]] }, { shapes: [[3], [3, 2]] }, { shapes: [[2, 3], [3]] },
      { shapes: [[2, 2, 3], [3, 4]] }, { shapes: [[2, 1, 2, 3], [3, 3, 2]] }, { shapes: [[0, 3], [3, 2]] }, { shapes: [[2, 0], [0, 3]] },
      { shapes: [[1, 3], [2, 3, 1]] }, { shapes: [[3], [2, 3, 2]] },
    ],
  },
  {
    name: "dot (NumPy dot, rank ≤ 2 and scalars)",
    make: () => (a, b) => fx.dot(a!, b!),
    ref: () => (a, b) => (a!.ndim === 0 || b!.ndim === 0 ? mapN([a!, b!], (x, y) => x * y) : matmulRef(a!, b!)),
    cases: [{ shapes: [[4], [4]] }, { shapes: [[2, 3], [3, 2]] }, { shapes: [[], [3]] }, { shapes: [[2, 3], []] }, { shapes: [[0], [0]] }],
  },
  {
    name: "outer",
    make: () => (a, b) => fx.outer(a!, b!),
    ref: () => (a, b) => einsumRef("i,j->ij", new Nd([a!.size], a!.data), new Nd([b!.size], b!.data)),
    cases: [{ shapes: [[3], [4]] }, { shapes: [[2, 2], [3]] }, { shapes: [[0], [2]] }, { shapes: [[], [2]] }, { shapes: [[1], [1]] }],
  },
  {
    name: "lax.dot (the primitive: equal batch axes)",
    make: () => (a, b) => lax.dot(a!, b!),
    ref: () => (a, b) => matmulRef(a!, b!),
    cases: [{ shapes: [[2, 3, 4], [2, 4, 5]] }, { shapes: [[3, 1], [1, 2]] }, { shapes: [[1, 2, 3], [1, 3, 1]] }, { shapes: [[2, 0, 3], [2, 3, 2]] }, { shapes: [[4, 2], [2, 3]] }],
  },
  ...einsumRecords(),
];

function einsumRecords(): OpRecord[] {
  // [spec given to fx.einsum, explicit spec for the reference, operand shapes]
  const specs: [string, string, number[][]][] = [
    ["ij,jk->ik", "ij,jk->ik", [[2, 3], [3, 4]]],
    ["bij,bjk->bik", "bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]],
    ["ii->", "ii->", [[3, 3]]],
    ["ii->i", "ii->i", [[3, 3]]],
    ["ij->ji", "ij->ji", [[2, 3]]],
    ["i,i->", "i,i->", [[4], [4]]],
    ["ij,j->i", "ij,j->i", [[3, 2], [2]]],
    ["ijk->k", "ijk->k", [[2, 3, 2]]],
    ["i,j->ij", "i,j->ij", [[2], [3]]],
    ["ij,ij->ij", "ij,ij->ij", [[2, 3], [2, 3]]],
    ["ij,kj->ik", "ij,kj->ik", [[2, 3], [4, 3]]],
    ["ij,jk", "ij,jk->ik", [[2, 3], [3, 2]]],
    ["abc,cd->abd", "abc,cd->abd", [[2, 1, 3], [3, 2]]],
    ["i->", "i->", [[0]]],
    ["ij,jk,kl->il", "ij,jk,kl->il", [[2, 3], [3, 2], [2, 2]]],
    ["ij,ij->", "ij,ij->", [[2, 3], [2, 3]]],
    ["bi,bi->b", "bi,bi->b", [[3, 2], [3, 2]]],
    ["i,i->i", "i,i->i", [[4], [4]]],
    ["ij,jk->ki", "ij,jk->ki", [[2, 3], [3, 4]]],
    ["iij->j", "iij->j", [[2, 2, 3]]],
    ["ijk,ikl->jl", "ijk,ikl->jl", [[2, 3, 2], [2, 2, 3]]],
    ["i,jk->ijk", "i,jk->ijk", [[2], [1, 3]]],
    ["ba,a", "ba,a->b", [[3, 2], [2]]],
  ];
  return [{
    name: "einsum",
    make: (p: [string, string]) => (...xs) => fx.einsum(p[0], ...xs),
    ref: (p) => (...xs) => einsumRef(p[1], ...xs),
    cases: specs.map(([s, r, shapes]) => ({ shapes, p: [s, r] })),
  }];
}

// ---- composites ----------------------------------------------------------------------------

const softmaxLane = (l: number[]) => {
  const m = Math.max(...l);
  const e = l.map((v) => Math.exp(v - m));
  const s = sumOf(e);
  return e.map((v) => v / s);
};
const logSoftmaxLane = (l: number[]) => {
  const lse = lseOf(l);
  return l.map((v) => v - lse);
};
const SOFTMAX_CASES: OpCase<number | undefined>[] = [
  { shapes: [[5]] }, { shapes: [[2, 3]], p: 0 }, { shapes: [[2, 3, 4]], p: 1 }, { shapes: [[1]] }, { shapes: [[3, 0]] }, { shapes: [[0, 3]], p: -1 },
];

export const COMPOSITE_RECORDS: OpRecord[] = [
  {
    name: "softmax",
    make: (p?: number) => (x) => fx.softmax(x!, p),
    ref: (p) => (x) => alongAxis(x!, p ?? -1, softmaxLane),
    cases: SOFTMAX_CASES,
    domain: uniform(-4, 4),
  },
  {
    name: "logSoftmax",
    make: (p?: number) => (x) => fx.logSoftmax(x!, p),
    ref: (p) => (x) => alongAxis(x!, p ?? -1, logSoftmaxLane),
    cases: SOFTMAX_CASES,
    domain: uniform(-4, 4),
  },
  {
    name: "layer-norm style (x − mean) / sqrt(var + 1e-5)",
    make: () => (x) => fx.div(fx.sub(x!, fx.mean(x!, -1, true)), fx.sqrt(fx.add(fx.var(x!, -1, true), 1e-5))),
    ref: () => (x) => alongAxis(x!, -1, (l) => {
      const mu = sumOf(l) / l.length;
      const v = varOf(l);
      return l.map((e) => (e - mu) / Math.sqrt(v + 1e-5));
    }),
    cases: [{ shapes: [[4]] }, { shapes: [[2, 5]] }, { shapes: [[3, 2, 3]] }, { shapes: [[0, 3]] }, { shapes: [[2, 3]] }],
    tol32: { rtol: 1e-4, atol: 1e-5 },
  },
  {
    name: "MLP layer tanh(x @ W + b) summed over a logSoftmax",
    make: () => (x, w, b) => fx.logSoftmax(fx.tanh(fx.add(fx.matmul(x!, w!), b!))),
    ref: () => (x, w, b) => alongAxis(mapN([matmulRef(x!, w!), b!], (u, v) => Math.tanh(u + v)), -1, logSoftmaxLane),
    cases: [{ shapes: [[2, 3], [3, 4], [4]] }, { shapes: [[3], [3, 2], []] }, { shapes: [[1, 2], [2, 2], [1, 2]] }, { shapes: [[0, 2], [2, 3], [3]] }, { shapes: [[4, 2], [2, 3], [3]] }],
  },
];

export const ALL_RECORDS: OpRecord[] = [
  ...UNARY_RECORDS, ...BINARY_RECORDS, ...REDUCE_RECORDS, ...SHAPE_RECORDS, ...INDEX_RECORDS, ...LINEAR_RECORDS, ...COMPOSITE_RECORDS,
];
