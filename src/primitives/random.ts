/**
 * `random_bits`: counter-based random bits from a key (Threefry-2x32, 20 rounds).
 *
 * Inputs: a key, int32 [2] (two uint32 words stored as int32), or a stack of
 * keys [...K, 2]. Params: `shape` and a `salt` (an integer in [0, 2^32)).
 * Output: int32 [...K, ...shape] of uniformly random 32-bit words.
 *
 * The exact scheme (the same on every backend): in row-major order, element i
 * of the output for key (k0, k1) is word (i mod 2) of
 *   threefry2x32(key = (k0, k1), counter = (salt, floor(i / 2))).
 * So two requests with the same key and salt share a prefix, and different
 * salts give unrelated streams. Bits are not differentiable.
 */
import { DTypeError, ShapeError, ValueError, fmtShape } from "../core/errors.js";
import type { Primitive } from "../core/primitive.js";
import { checkShape, sizeOf } from "../core/shape.js";
import type { PrimParams } from "../backend/spec.js";
import { moveAxis, randomBits as bindRandomBits } from "./lax.js";

type Params = PrimParams["random_bits"];

/** Counters are (salt, block) with a 32-bit block index, two words per block. */
const MAX_WORDS_PER_KEY = 2 ** 33;

export const randomBits: Primitive<Params> = {
  name: "random_bits",
  abstractEval([key], { shape, salt }) {
    if (key!.dtype !== "int32") {
      throw new DTypeError(`random_bits: the key must be int32 (two uint32 words), got ${key!.dtype}${fmtShape(key!.shape)}`);
    }
    if (key!.shape.length === 0 || key!.shape[key!.shape.length - 1] !== 2) {
      throw new ShapeError(`random_bits: the key must have shape [2] (or [..., 2] for a stack of keys), got ${fmtShape(key!.shape)}`);
    }
    checkShape("random_bits", shape);
    if (!Number.isInteger(salt) || salt < 0 || salt >= 2 ** 32) {
      throw new ValueError(`random_bits: salt must be an integer in [0, 2^32), got ${salt}`);
    }
    if (sizeOf(shape) > MAX_WORDS_PER_KEY) {
      throw new ValueError(`random_bits: shape ${fmtShape(shape)} asks for more than 2^33 words from one key; split the key instead`);
    }
    return [{ shape: [...key!.shape.slice(0, -1), ...shape], dtype: "int32" }];
  },
  jvp: (_primals, _tangents, _params, outs) => outs.map(() => null),
  vjp: (_cts, primals) => primals.map(() => null),
  // A batch of keys is a stack of keys: move the batch axis to the front and draw for each.
  batch: ([key], [dim], { shape, salt }) => [[bindRandomBits(moveAxis(key!, dim!, 0), shape, salt)], [0]],
};
