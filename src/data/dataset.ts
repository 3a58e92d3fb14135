/**
 * `Dataset`: an immutable, lazy, random-access sequence of examples built
 * from tensors that share a first axis. Each method returns a new Dataset;
 * nothing is computed until examples are read.
 *
 *   const ds = new data.Dataset([x, y])        // x: [N, 784], y: [N]
 *     .shuffle(fx.random.key(0))                // a keyed, reproducible order
 *     .batch(128, { dropRemainder: true });     // [x: [128, 784], y: [128]]
 *   for (const [xb, yb] of ds) step(xb, yb);
 *
 * Order of operations matters as in tf.data: `.shuffle().batch()` shuffles
 * examples, `.batch().shuffle()` shuffles whole batches. Batching rows that
 * come straight from the tensors copies them in one go; batching examples
 * produced by `.map` stacks them with `fx.stack`.
 */
import { IndexError, ValueError } from "../core/errors.js";
import { flatten, unflatten, defToString } from "../core/tree.js";
import { stack } from "../ops/shape.js";
import { RowTable, type Columns } from "./columns.js";
import { keyedPermutation, type ShuffleKey } from "./permutation.js";

/** What a Dataset reads its examples from. */
interface Source<T> {
  readonly length: number;
  get(i: number): T;
  /** Examples at `indices`, stacked on a new first axis (only where that is a cheap copy). */
  gather?(indices: Int32Array): T;
}

export interface BatchOptions {
  /** Drop a last batch smaller than the others (default false: keep it). */
  dropRemainder?: boolean;
}

export class Dataset<T = unknown> implements Iterable<T> {
  private source!: Source<T>;

  /** A dataset of rows: row i is every tensor indexed at i along its first axis. */
  constructor(arrays: T & Columns) {
    this.source = tableSource(RowTable.fromTensors("Dataset", arrays));
  }

  /** Same as `new Dataset(arrays)`. */
  static fromTensors<C extends Columns>(arrays: C): Dataset<C> {
    return new Dataset<C>(arrays);
  }

  private static wrap<U>(source: Source<U>): Dataset<U> {
    const ds = Object.create(Dataset.prototype) as Dataset<U>;
    ds.source = source;
    return ds;
  }

  /** Number of elements (examples, or batches after `.batch`). */
  get length(): number {
    return this.source.length;
  }

  /** Element `i` (negative counts from the end). */
  at(i: number): T {
    const n = this.length;
    const j = i < 0 ? i + n : i;
    if (!Number.isInteger(i) || j < 0 || j >= n) throw new IndexError(`Dataset.at: index ${i} is out of range for a dataset of ${n} elements`);
    return this.source.get(j);
  }

  /** The elements in an order chosen by `key` (the same key always gives the same order). */
  shuffle(key: ShuffleKey): Dataset<T> {
    return this.reindex(keyedPermutation(key, this.length));
  }

  /** The first `n` elements (all of them if there are fewer). */
  take(n: number): Dataset<T> {
    checkCount("Dataset.take", n);
    return this.reindex(range(0, Math.min(n, this.length)));
  }

  /** All but the first `n` elements (used to resume part-way through an epoch). */
  skip(n: number): Dataset<T> {
    checkCount("Dataset.skip", n);
    return this.reindex(range(Math.min(n, this.length), this.length));
  }

  /**
   * Groups consecutive elements into batches of `n`, stacking every tensor
   * along a new first axis. The last batch is smaller unless `dropRemainder`.
   */
  batch(n: number, opts: BatchOptions = {}): Dataset<T> {
    if (!Number.isInteger(n) || n < 1) throw new ValueError(`Dataset.batch: batch size must be a positive integer, got ${n}`);
    const parent = this.source;
    const total = parent.length;
    const length = opts.dropRemainder ? Math.floor(total / n) : Math.ceil(total / n);
    return Dataset.wrap({
      length,
      get: (b) => {
        const indices = range(b * n, Math.min((b + 1) * n, total));
        return parent.gather ? parent.gather(indices) : stackElements(Array.from(indices, (i) => parent.get(i)));
      },
    });
  }

  /** Applies `f` to each element when it is read. */
  map<U>(f: (element: T, index: number) => U): Dataset<U> {
    const parent = this.source;
    return Dataset.wrap({ length: parent.length, get: (i) => f(parent.get(i), i) });
  }

  /** Every element, stacked along a new first axis (e.g. a whole split as one batch). */
  collect(): T {
    if (this.length === 0) throw new ValueError("Dataset.collect: the dataset is empty");
    const all = range(0, this.length);
    return this.source.gather ? this.source.gather(all) : stackElements(Array.from(all, (i) => this.source.get(i)));
  }

  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.source.length; i++) yield this.source.get(i);
  }

  private reindex(indices: Int32Array): Dataset<T> {
    const parent = this.source;
    const gather = parent.gather;
    return Dataset.wrap({
      length: indices.length,
      get: (i) => parent.get(indices[i]!),
      gather: gather ? (idx) => gather(idx.map((i) => indices[i]!)) : undefined,
    });
  }
}

function tableSource<T>(table: RowTable<T>): Source<T> {
  return { length: table.length, get: (i) => table.row(i), gather: (idx) => table.gather(idx) };
}

/** A dataset over rows already in a RowTable (for loaders that build their arrays themselves). */
export function datasetFromTable<T>(table: RowTable<T>): Dataset<T> {
  return Dataset["wrap"](tableSource(table)); // same module: the private factory is ours to use
}

function range(start: number, stop: number): Int32Array {
  const out = new Int32Array(Math.max(0, stop - start));
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

function checkCount(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`${op}: count must be a non-negative integer, got ${n}`);
}

/** Stacks same-structured pytrees leaf by leaf. */
function stackElements<T>(elements: T[]): T {
  const [first, def] = flatten(elements[0]);
  const columns = first.map((leaf) => [leaf]);
  for (let k = 1; k < elements.length; k++) {
    const [leaves, d] = flatten(elements[k]);
    if (defToString(d) !== defToString(def)) {
      throw new ValueError(`Dataset.batch: element ${k} has structure ${defToString(d)} but element 0 has ${defToString(def)}`);
    }
    leaves.forEach((leaf, j) => columns[j]!.push(leaf));
  }
  return unflatten(def, columns.map((c) => stack(c, 0))) as T;
}
