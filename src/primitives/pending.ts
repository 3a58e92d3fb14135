// PLACEHOLDER primitives, replaced as their work lands (conv, random, linalg).
import type { Primitive } from "../core/primitive.js";
export function pendingPrimitive(name: string): Primitive {
  const fail = (): never => { throw new Error(`${name}: primitive pending`); };
  return { name, abstractEval: fail, jvp: fail, vjp: fail, batch: fail };
}
