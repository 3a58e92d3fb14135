/**
 * The one table of primitives. Its type is a mapped type over every primitive
 * name the backends know, so a primitive without rules is a compile error.
 */
import type { Primitive } from "../core/primitive.js";
import { BINARY, COMPARE, LOGICAL, REDUCE, UNARY_FLOAT, type PrimName, type PrimParams } from "../backend/spec.js";
import { binaryPrimitive, cast, comparePrimitive, not, select, stopGradient, unaryPrimitive } from "./elementwise.js";
import { argPrimitive, cumsum, reducePrimitive } from "./reduce.js";
import { broadcastTo, concatenate, pad, reshape, rev, slice, transpose } from "./shape.js";
import { gather, scatterAdd } from "./indexing.js";
import { dot } from "./dot.js";
import { conv, reduceWindowMax, selectAndGatherAdd, selectAndScatterAdd } from "./conv.js";
import { randomBits } from "./random.js";
import { argsort } from "./sort.js";
import { cholesky, eigh, lu, qr, svd, triangularSolve } from "./linalg.js";
import "./evaluate.js";

type Table = { [K in PrimName]: Primitive<PrimParams[K]> };

function build(): Table {
  const t: Partial<Record<PrimName, Primitive>> = {};
  for (const n of UNARY_FLOAT) t[n] = unaryPrimitive(n);
  for (const n of BINARY) t[n] = binaryPrimitive(n);
  for (const n of COMPARE) t[n] = comparePrimitive(n);
  for (const n of LOGICAL) t[n] = comparePrimitive(n);
  for (const n of REDUCE) t[n] = reducePrimitive(n);
  const rest: Omit<Table, (typeof UNARY_FLOAT)[number] | (typeof BINARY)[number] | (typeof COMPARE)[number] | (typeof LOGICAL)[number] | (typeof REDUCE)[number]> = {
    not, select, cast, stop_gradient: stopGradient,
    argmax: argPrimitive("argmax"), argmin: argPrimitive("argmin"), cumsum,
    reshape, broadcast_to: broadcastTo, transpose, slice, pad, concatenate, rev,
    gather, scatter_add: scatterAdd, dot, conv, reduce_window_max: reduceWindowMax,
    select_and_gather_add: selectAndGatherAdd, select_and_scatter_add: selectAndScatterAdd,
    random_bits: randomBits,
    argsort,
    cholesky, triangular_solve: triangularSolve, lu, qr, eigh, svd,
  };
  return { ...(t as Table), ...rest };
}

export const table: Table = build();
