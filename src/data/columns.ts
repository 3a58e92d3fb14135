/**
 * Tensors that share a first axis, seen as rows: the storage behind
 * `Dataset`, `trainTestSplit` and friends. Rows are gathered by copying
 * bytes, so values (NaN payloads included) pass through unchanged and no
 * primitive runs per example.
 */
import { allocate, type DType, type TypedArray } from "../core/dtype.js";
import { IndexError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { sizeOf } from "../core/shape.js";
import { fromTypedArray } from "../primitives/constant.js";

/** One tensor, a list of tensors, or a record of named tensors, all with the same first-axis length. */
export type Columns = Tensor | readonly Tensor[] | { readonly [name: string]: Tensor };

interface Column {
  readonly data: TypedArray;
  readonly rowShape: readonly number[];
  readonly rowSize: number;
  readonly dtype: DType;
}

/** Storage of one column: row-major elements, the shape of one row, the dtype. */
export interface RawColumn {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export class RowTable<T> {
  readonly length: number;
  private readonly columns: Column[];
  private readonly rebuild: (tensors: Tensor[]) => T;

  private constructor(length: number, columns: Column[], rebuild: (tensors: Tensor[]) => T) {
    this.length = length;
    this.columns = columns;
    this.rebuild = rebuild;
  }

  /** Rows of tensors that share a first axis (their values are copied once). */
  static fromTensors<T>(op: string, arrays: T): RowTable<T> {
    const { tensors, rebuild, names } = splitColumns(op, arrays);
    if (tensors.length === 0) throw new ValueError(`${op}: needs at least one tensor`);
    tensors.forEach((t, i) => {
      if (t.ndim === 0) throw new ShapeError(`${op}: ${names[i]} is a scalar; every tensor needs a first (example) axis`);
    });
    const length = tensors[0]!.shape[0]!;
    tensors.forEach((t, i) => {
      if (t.shape[0] !== length) {
        const all = tensors.map((u, k) => `${names[k]} ${fmtShape(u.shape)}`).join(", ");
        throw new ShapeError(`${op}: every tensor needs the same first-axis length, but ${names[i]} has ${t.shape[0]} and ${names[0]} has ${length} (${all})`);
      }
    });
    return new RowTable(length, tensors.map((t) => column(t.data(), t.shape, t.dtype)), rebuild);
  }

  /** Rows of arrays the caller hands over (not copied: the caller must not change them afterwards). */
  static fromArrays<T>(columns: RawColumn[], rebuild: (tensors: Tensor[]) => T): RowTable<T> {
    const length = columns[0]!.shape[0]!;
    return new RowTable(length, columns.map((c) => column(c.data, c.shape, c.dtype)), rebuild);
  }

  /** Row `i` of every column, without the first axis. */
  row(i: number): T {
    this.check(i);
    return this.rebuild(this.columns.map((c) => fromTypedArray(c.data.slice(i * c.rowSize, (i + 1) * c.rowSize), c.rowShape, c.dtype)));
  }

  /** The rows at `indices`, stacked along a new first axis. */
  gather(indices: ArrayLike<number>): T {
    for (let k = 0; k < indices.length; k++) this.check(indices[k]!);
    return this.rebuild(this.columns.map((c) => {
      const out = allocate(c.dtype, indices.length * c.rowSize);
      for (let k = 0; k < indices.length; k++) {
        const r = indices[k]!;
        out.set(c.data.subarray(r * c.rowSize, (r + 1) * c.rowSize), k * c.rowSize);
      }
      return fromTypedArray(out, [indices.length, ...c.rowShape], c.dtype);
    }));
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new IndexError(`row ${i} is out of range for ${this.length} rows`);
  }
}

/** The tensors of a Columns value, with a function that puts new tensors back into the same structure. */
function splitColumns<T>(op: string, arrays: T): { tensors: Tensor[]; rebuild: (ts: Tensor[]) => T; names: string[] } {
  if (arrays instanceof Tensor) return { tensors: [arrays], rebuild: (ts) => ts[0] as T, names: ["tensor"] };
  if (Array.isArray(arrays)) {
    arrays.forEach((t, i) => requireTensor(op, t, `element ${i}`));
    return { tensors: [...arrays] as Tensor[], rebuild: (ts) => ts as T, names: arrays.map((_, i) => `tensor ${i}`) };
  }
  if (arrays !== null && typeof arrays === "object") {
    const keys = Object.keys(arrays);
    const tensors = keys.map((k) => requireTensor(op, (arrays as Record<string, unknown>)[k], JSON.stringify(k)));
    return { tensors, rebuild: (ts) => Object.fromEntries(keys.map((k, i) => [k, ts[i]])) as T, names: keys.map((k) => JSON.stringify(k)) };
  }
  throw new ValueError(`${op}: expected a tensor, an array of tensors or a record of tensors, got ${typeof arrays}`);
}

function column(data: TypedArray, shape: readonly number[], dtype: DType): Column {
  const rowShape = shape.slice(1);
  return { data, rowShape, rowSize: sizeOf(rowShape), dtype };
}

function requireTensor(op: string, t: unknown, what: string): Tensor {
  if (!(t instanceof Tensor)) throw new ValueError(`${op}: ${what} is ${t === null ? "null" : typeof t}, not a tensor`);
  return t;
}
