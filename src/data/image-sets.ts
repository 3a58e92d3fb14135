/** Shared pieces of the built-in image data sets (MNIST digits, Fashion-MNIST). */
import { ValueError } from "../core/errors.js";
import { type Tensor } from "../core/tensor.js";
import { RowTable } from "./columns.js";
import { datasetFromTable, type Dataset } from "./dataset.js";

/** "nchw": images [N, 1, 28, 28] (for convolutions); "flat": [N, 784] (for MLPs). */
export type ImageLayout = "nchw" | "flat";

export interface ImageSplits {
  /** Elements are [image, label]: a float32 image in [0, 1] and an int32 label in 0..9. */
  train: Dataset<[Tensor, Tensor]>;
  test: Dataset<[Tensor, Tensor]>;
}

export function checkLayout(op: string, layout: unknown): ImageLayout {
  if (layout !== "nchw" && layout !== "flat") throw new ValueError(`${op}: layout must be "nchw" or "flat", got ${JSON.stringify(layout)}`);
  return layout;
}

/** A dataset of 28×28 images (pixels already float32 in [0, 1]) and labels. */
export function imageDataset(pixels: Float32Array, labels: Int32Array, layout: ImageLayout): Dataset<[Tensor, Tensor]> {
  const n = labels.length;
  const shape = layout === "nchw" ? [n, 1, 28, 28] : [n, 784];
  const table = RowTable.fromArrays<[Tensor, Tensor]>(
    [{ data: pixels, shape, dtype: "float32" }, { data: labels, shape: [n], dtype: "int32" }],
    (ts) => [ts[0]!, ts[1]!],
  );
  return datasetFromTable(table);
}
