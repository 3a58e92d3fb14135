/**
 * The contract between the primitive table and the backends: every primitive's
 * name and parameters. A backend must run each of these; `Kernels` is a mapped
 * type, so leaving one out is a compile error.
 */
import type { DType, TypedArray } from "../core/dtype.js";
import type { Aval, Buffer } from "../core/tensor.js";

type None = Record<string, never>;

export const UNARY_FLOAT = [
  "neg", "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "tan", "tanh",
  "asin", "acos", "atan", "sinh", "cosh", "logistic", "erf", "abs", "sign", "floor", "ceil", "round",
] as const;
export type UnaryName = (typeof UNARY_FLOAT)[number];

export const BINARY = ["add", "sub", "mul", "div", "pow", "max", "min", "atan2", "rem"] as const;
export type BinaryName = (typeof BINARY)[number];

export const COMPARE = ["eq", "ne", "lt", "le", "gt", "ge"] as const;
export type CompareName = (typeof COMPARE)[number];

export const LOGICAL = ["and", "or", "xor"] as const;
export type LogicalName = (typeof LOGICAL)[number];

export const REDUCE = ["reduce_sum", "reduce_max", "reduce_min", "reduce_prod"] as const;
export type ReduceName = (typeof REDUCE)[number];

export interface ConvParams {
  /** Per spatial axis. Inputs are [N, C, ...spatial], weights [O, C/groups, ...kernel]. */
  strides: number[];
  padding: [number, number][];
  lhsDilation: number[];
  rhsDilation: number[];
  groups: number;
}

export type PrimParams = {
  [K in UnaryName]: None;
} & {
  [K in BinaryName]: None;
} & {
  [K in CompareName]: None;
} & {
  [K in LogicalName]: None;
} & {
  [K in ReduceName]: { axes: number[] };
} & {
  not: None;
  select: None;
  cast: { dtype: DType };
  stop_gradient: None;
  argmax: { axis: number };
  argmin: { axis: number };
  cumsum: { axis: number; reverse: boolean };
  reshape: { shape: number[] };
  broadcast_to: { shape: number[] };
  transpose: { perm: number[] };
  slice: { starts: number[]; limits: number[]; strides: number[] };
  pad: { lo: number[]; hi: number[]; interior: number[] };
  concatenate: { axis: number };
  rev: { axes: number[] };
  gather: { axis: number };
  scatter_add: { axis: number };
  dot: None;
  conv: ConvParams;
  reduce_window_max: { window: number[]; strides: number[] };
  select_and_gather_add: { window: number[]; strides: number[] };
  select_and_scatter_add: { window: number[]; strides: number[] };
  random_bits: { shape: number[]; salt: number };
  argsort: { axis: number };
  cholesky: None;
  triangular_solve: { lower: boolean; transposeA: boolean; unitDiagonal: boolean };
  lu: None;
  qr: None;
  eigh: None;
  svd: None;
};

export type PrimName = keyof PrimParams;

/** What a kernel receives: the inputs' storage with their avals. */
export interface KernelInput {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export type Kernel<K extends PrimName> = (inputs: KernelInput[], params: PrimParams[K], outs: Aval[]) => TypedArray[];

export type Kernels = { [K in PrimName]: Kernel<K> };

/**
 * A chain of elementwise primitives that `jit` fused, as it asks a backend to
 * compile it. Values are numbered: first the inputs (each either n elements or
 * one element broadcast to all n), then one value per op, in order.
 */
export interface FusedGroup {
  /**
   * Each input's layout against the group's shape: all n elements, one
   * (`scalar`), a row repeated along the leading axes (element i at
   * i mod `period`), or a column constant along the trailing axes (element i
   * at ⌊i / `repeat`⌋), or with both set a channel (element i at
   * ⌊i / `repeat`⌋ mod `period`, a bias [C, 1, 1] on [N, C, H, W]).
   * Rows' periods and columns' repeats are multiples of 8, channels' repeats of 4.
   */
  inputs: { dtype: DType; scalar: boolean; period?: number; repeat?: number }[];
  ops: { prim: string; args: number[]; dtype: DType }[];
  /** Value numbers written out, in order. */
  outputs: number[];
  /** Elements per input and output. */
  n: number;
}

/** Runs a fused group: reads `ins`, writes the first n elements of each of `outs`. */
export type FusedKernel = (ins: TypedArray[], outs: TypedArray[]) => void;

/** The narrow seam every backend implements. */
export interface Backend {
  readonly name: string;
  fromArray(data: TypedArray): Buffer;
  run<K extends PrimName>(prim: K, inputs: { buffer: Buffer; shape: readonly number[]; dtype: DType }[], params: PrimParams[K], outs: Aval[]): Buffer[];
  /**
   * Compiles a fused group to native code, or returns null to let `jit` run
   * its generated JavaScript loop. Must give exactly what the group's kernels
   * would, element by element.
   */
  fuse?(group: FusedGroup): FusedKernel | null;
  /**
   * Optional: memory of the backend's own that a compiled `jit` call's
   * results may live in while it runs (the wasm backend's kernels then read
   * them without copying). Nested calls share the outermost one's arena.
   */
  callArena?: CallArena;
}

/** See `Backend.callArena`. */
export interface CallArena {
  /** A compiled call starts; true for the outermost one, whose results must be detached. */
  enter(): boolean;
  /** A compiled call ends (also when it throws); the outermost one releases the arena. */
  exit(): void;
  /** A buffer with the same elements that does not live in the arena (`buffer` itself if it does not). */
  detach(buffer: Buffer, dtype: DType): Buffer;
  /**
   * A donated input moved into memory that outlives the call (`buffer` itself
   * if it stays): the program then writes the new state over it in place.
   * Called before `enter`.
   */
  adopt(buffer: Buffer, dtype: DType): Buffer;
}
