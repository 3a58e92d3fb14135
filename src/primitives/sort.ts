/**
 * `argsort`: the indices that sort a tensor along one axis, ascending and
 * stable (equal values keep their order; NaN sorts last, as in NumPy). Integer
 * output, so it has no derivative. Random permutations are argsorts of random
 * keys, which is why this is a primitive: a composite would cost O(n²).
 */
import { DTypeError, IndexError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import type { PrimParams } from "../backend/spec.js";
import { moveAxis, argsort as bindArgsort } from "./lax.js";

export const argsort: Primitive<PrimParams["argsort"]> = {
  name: "argsort",
  abstractEval([x], { axis }) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= x!.shape.length) {
      throw new IndexError(`argsort: axis ${axis} is out of range for shape ${fmtShape(x!.shape)}`);
    }
    if (x!.dtype === "bool") throw new DTypeError(`argsort: does not take bool tensors (cast with astype("int32"))`);
    return [{ shape: x!.shape, dtype: "int32" }];
  },
  jvp: () => [null],
  vjp: () => [null],
  batch: ([x], [d], { axis }) => [[bindArgsort(moveAxis(x!, d!, 0), axis + 1)], [0]],
};
