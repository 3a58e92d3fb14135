import { type DType, type TypedArray } from "./dtype.js";
import { DisposedError, ValueError } from "./errors.js";
import { sizeOf, type Shape } from "./shape.js";
import { formatTensor } from "./format.js";

/** What a backend hands back for a tensor's storage. */
export interface Buffer {
  /** A copy of the elements in row-major order. */
  read(): TypedArray;
  /** The storage itself, not to be mutated (used by kernels on the same backend). */
  view(): TypedArray;
  dispose(): void;
  /** Every array this buffer holds or shares, without materializing anything (for jit's storage pool). */
  storage?(): TypedArray[];
}

/** Shape and dtype without values: what `jit` and shape rules reason about. */
export interface Aval {
  readonly shape: Shape;
  readonly dtype: DType;
}

export type NestedArray = number | boolean | NestedArray[];

/**
 * An n-dimensional array. Tensors are immutable values; every operation
 * returns a new tensor. Inside a transform (`grad`, `vmap`, `jit`) the same
 * methods work on tracers, which are Tensors too.
 */
export abstract class Tensor implements Aval {
  abstract readonly shape: readonly number[];
  abstract readonly dtype: DType;

  get ndim(): number {
    return this.shape.length;
  }

  get size(): number {
    return sizeOf(this.shape);
  }

  /** The concrete tensor behind this one; throws under `jit` where there is none. */
  abstract concrete(): ConcreteTensor;

  /** A copy of the elements as a TypedArray (bool as 0/1 bytes), row-major. */
  data(): TypedArray {
    return this.concrete().data();
  }

  async dataAsync(): Promise<TypedArray> {
    return this.data();
  }

  /** The elements as nested JS arrays (numbers, or booleans for bool tensors). */
  toArray(): NestedArray {
    const flat = this.data();
    const isBool = this.dtype === "bool";
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return isBool ? flat[offset] !== 0 : flat[offset]!;
      const n = this.shape[axis]!;
      const stride = sizeOf(this.shape.slice(axis + 1));
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = build(axis + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  async toArrayAsync(): Promise<NestedArray> {
    return this.toArray();
  }

  /** The single element of a size-1 tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ValueError(`item: needs a tensor with exactly one element, got shape [${this.shape.join(", ")}] (${this.size} elements)`);
    }
    const v = this.data()[0]!;
    return v;
  }

  toString(): string {
    return formatTensor(this.shape, this.dtype, this.data());
  }

  /** console.log(t) in Node prints the values, as toString does (tracers print their shape and dtype). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this instanceof ConcreteTensor ? this.toString() : `${this.constructor.name}(${this.dtype}[${this.shape.join(", ")}])`;
  }
}

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/**
 * The shape a tensor keeps: a frozen copy, unless `shape` is already frozen
 * (another tensor's, which an elementwise op's output shares). Freezing a copy
 * costs about as much as a whole small elementwise op, so sharing matters.
 */
function ownShape(shape: Shape): readonly number[] {
  if (shape.length === 0) return SCALAR_SHAPE;
  return Object.isFrozen(shape) ? shape : Object.freeze(shape.slice());
}

/** A tensor whose values exist, held by a backend buffer. */
export class ConcreteTensor extends Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  private buf: Buffer | null;
  private donated = false;

  constructor(buffer: Buffer, shape: Shape, dtype: DType) {
    super();
    this.buf = buffer;
    this.shape = ownShape(shape);
    this.dtype = dtype;
  }

  get buffer(): Buffer {
    if (this.buf === null) {
      const how = this.donated ? "was donated to a jitted function (donateArgnums), which reused its storage," : "was disposed";
      throw new DisposedError(`this ${this.dtype} tensor of shape [${this.shape.join(", ")}] ${how} and cannot be used again`);
    }
    return this.buf;
  }

  get isDisposed(): boolean {
    return this.buf === null;
  }

  concrete(): ConcreteTensor {
    return this;
  }

  override data(): TypedArray {
    return this.buffer.read();
  }

  /** Frees the storage now instead of waiting for the garbage collector. */
  dispose(): void {
    this.buf?.dispose();
    this.buf = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** Gives up the storage to a jitted function that wrote its outputs there (the storage lives on in them). */
  markDonated(): void {
    this.buf = null;
    this.donated = true;
  }
}
