/** Small checks shared by the layers. */
import { ShapeError, ValueError, fmtShape } from "../../core/errors.js";
import type { Tensor } from "../../core/tensor.js";
import { checkKey, split, type Key } from "../../random/keys.js";

/** The key a constructor needs to initialize its weights, with a message that shows how to pass one. */
export function requireKey(op: string, key: Key | undefined): Key {
  if (key === undefined) throw new ValueError(`${op}: needs a key to initialize its weights, e.g. { key: fx.random.key(0) }`);
  return checkKey(op, key);
}

/** n independent keys from one (the same split a container does for its layers). */
export function splitKey(key: Key, n: number): Key[] {
  return split(key, n);
}

export function positiveInt(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new ValueError(`${op}: ${name} must be a positive integer, got ${v}`);
  return v;
}

/** Checks that axis `axis` of x has `size` elements. */
export function expectAxis(op: string, x: Tensor, axis: number, size: number, what: string): void {
  const a = axis < 0 ? axis + x.ndim : axis;
  if (a < 0 || a >= x.ndim || x.shape[a] !== size) {
    throw new ShapeError(`${op}: expected ${what} of size ${size} on axis ${axis}, got an input of shape ${fmtShape(x.shape)}`);
  }
}
