import { pendingPrimitive } from "./pending.js";
export const cholesky = pendingPrimitive("cholesky");
export const triangularSolve = pendingPrimitive("triangular_solve");
export const lu = pendingPrimitive("lu");
export const qr = pendingPrimitive("qr");
export const eigh = pendingPrimitive("eigh");
export const svd = pendingPrimitive("svd");
