/** Splitting examples into a training and a test part. */
import { ValueError } from "../core/errors.js";
import { RowTable, type Columns } from "./columns.js";
import { keyedPermutation, type ShuffleKey } from "./permutation.js";

export interface SplitOptions {
  /** A fraction in (0, 1) of the examples, or a whole number of examples, for the test part (default 0.25). */
  testSize?: number;
  /** Shuffles before splitting when given; without a key the last examples form the test part. */
  key?: ShuffleKey;
}

/**
 * Splits tensors that share a first axis into `{ train, test }`, each with the
 * same structure as `arrays`. A fractional `testSize` gives ceil(testSize · N)
 * test examples (as scikit-learn).
 *
 *   const { train, test } = data.trainTestSplit([x, y], { testSize: 0.2, key: fx.random.key(0) });
 *   const [xTrain, yTrain] = train;
 */
export function trainTestSplit<C extends Columns>(arrays: C, opts: SplitOptions = {}): { train: C; test: C } {
  const table = RowTable.fromTensors("trainTestSplit", arrays);
  const n = table.length;
  const size = opts.testSize ?? 0.25;
  let nTest: number;
  if (Number.isInteger(size) && size >= 1) nTest = size;
  else if (size > 0 && size < 1) nTest = Math.ceil(size * n);
  else throw new ValueError(`trainTestSplit: testSize must be a fraction in (0, 1) or a whole number >= 1, got ${size}`);
  if (nTest >= n) {
    throw new ValueError(`trainTestSplit: testSize ${size} leaves ${n - nTest} of ${n} examples for training; at least one is needed`);
  }
  const order = opts.key === undefined ? Int32Array.from({ length: n }, (_, i) => i) : keyedPermutation(opts.key, n);
  return { train: table.gather(order.subarray(0, n - nTest)), test: table.gather(order.subarray(n - nTest)) };
}
