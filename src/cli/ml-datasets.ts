/**
 * Data sets for the classic-ML commands (`fluxion eda`, `fluxion fit`):
 * "fashion-mnist" (IDX files, see fx.data.fashionMnist), "mnist" (the
 * embedded digits) or a numeric CSV file whose label column is `--target`
 * (default: the last column), split 75/25 with a keyed shuffle. Images are
 * flattened to one feature per pixel.
 */
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { ValueError } from "../core/errors.js";
import type { Tensor } from "../core/tensor.js";
import { FASHION_MNIST_CLASSES, fashionMnist } from "../data/fashion-mnist.js";
import { loadCsv } from "../data/csv.js";
import { mnist } from "../data/mnist.js";
import { trainTestSplit } from "../data/split.js";
import { take } from "../ops/indexing.js";
import { tensor } from "../ops/creation.js";
import { key } from "../random/keys.js";

export interface TabularSplits {
  name: string;
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  classNames?: readonly string[];
  featureNames?: readonly string[];
  /** Image height and width when the features are pixels. */
  imageShape?: [number, number];
}

export interface DatasetOptions {
  target?: string;
  seed?: number;
}

export function loadTabular(spec: string, opts: DatasetOptions = {}): TabularSplits {
  if (spec === "fashion-mnist" || spec === "mnist") {
    const { train, test } = spec === "mnist" ? mnist({ layout: "flat" }) : fashionMnist({ layout: "flat" });
    const [xTrain, yTrain] = train.collect();
    const [xTest, yTest] = test.collect();
    return {
      name: spec, xTrain, yTrain, xTest, yTest, imageShape: [28, 28],
      classNames: spec === "mnist" ? Array.from({ length: 10 }, (_, d) => String(d)) : FASHION_MNIST_CLASSES,
    };
  }
  if (!existsSync(spec)) throw new ValueError(`unknown dataset ${JSON.stringify(spec)}: use fashion-mnist, mnist, or the path of a CSV file`);
  const { columns, data } = loadCsv(spec, { dtype: "float64" });
  const targetName = opts.target ?? columns[columns.length - 1]!;
  const t = columns.indexOf(targetName);
  if (t < 0) throw new ValueError(`${spec}: no column named ${JSON.stringify(targetName)} (columns: ${columns.join(", ")})`);
  const features = columns.map((_, j) => j).filter((j) => j !== t);
  const x = take(data, tensor(Int32Array.from(features), { dtype: "int32" }), 1);
  const yRaw = Array.from(take(data, tensor(Int32Array.from([t]), { dtype: "int32" }), 1).data(), Number);
  const y = tensor(Int32Array.from(yRaw), { dtype: "int32" });
  if (yRaw.some((v, i) => !Number.isInteger(v) || v !== y.data()[i])) throw new ValueError(`${spec}: the target column ${JSON.stringify(targetName)} must hold whole-number class labels`);
  const { train, test } = trainTestSplit([x, y], { testSize: 0.25, key: key(opts.seed ?? 0) });
  return { name: basename(spec), xTrain: train[0]!, yTrain: train[1]!, xTest: test[0]!, yTest: test[1]!, featureNames: features.map((j) => columns[j]!) };
}

/** The first `n` rows of x and y (all of them if there are fewer). */
export function firstRows(x: Tensor, y: Tensor, n: number | undefined): [Tensor, Tensor] {
  if (n === undefined || n >= x.shape[0]!) return [x, y];
  if (!Number.isInteger(n) || n < 1) throw new ValueError(`a subset size must be a positive integer, got ${n}`);
  return [x.slice([0, n]), y.slice([0, n])];
}
