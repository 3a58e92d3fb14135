/** What `fit` and `evaluate` accept as data: a Dataset of [x, y] examples, or [x, y] tensors. */
import { ValueError } from "../core/errors.js";
import { Tensor } from "../core/tensor.js";
import { Dataset } from "../data/dataset.js";

/** A Dataset whose elements are single [input, target] examples, or the tensors [inputs, targets]. */
export type Examples = Dataset<[Tensor, Tensor]> | readonly [Tensor, Tensor];

export function asExamples(op: string, data: Examples): Dataset<[Tensor, Tensor]> {
  if (data instanceof Dataset) return data;
  if (Array.isArray(data) && data.length === 2 && data[0] instanceof Tensor && data[1] instanceof Tensor) {
    return new Dataset<[Tensor, Tensor]>([data[0], data[1]]);
  }
  throw new ValueError(`${op}: data must be a data.Dataset of [x, y] examples or a pair of tensors [x, y] sharing their first axis`);
}
