/** The reference backend's kernel table: one entry per primitive (a missing one is a compile error). */
import type { Kernels } from "../spec.js";
import { binaryKernel, castKernel, compareKernel, logicalKernel, notKernel, selectKernel, unaryKernel } from "./kernels/elementwise.js";
import { argKernel, cumsumKernel, reduceKernel } from "./kernels/reduce.js";
import { broadcastToKernel, concatenateKernel, padKernel, reshapeKernel, revKernel, sliceKernel, transposeKernel } from "./kernels/shape.js";
import { gatherKernel, scatterAddKernel } from "./kernels/indexing.js";
import { dotKernel } from "./kernels/matmul.js";
import { convKernel, reduceWindowMaxKernel, selectAndGatherAddKernel, selectAndScatterAddKernel } from "./kernels/conv.js";
import { randomBitsKernel } from "./kernels/random.js";
import { argsortKernel } from "./kernels/sort.js";
import { choleskyKernel, eighKernel, luKernel, qrKernel, svdKernel, triangularSolveKernel } from "./kernels/linalg.js";

export const referenceKernels: Kernels = {
  neg: unaryKernel("neg"), exp: unaryKernel("exp"), log: unaryKernel("log"), log1p: unaryKernel("log1p"),
  expm1: unaryKernel("expm1"), sqrt: unaryKernel("sqrt"), sin: unaryKernel("sin"), cos: unaryKernel("cos"),
  tan: unaryKernel("tan"), tanh: unaryKernel("tanh"), asin: unaryKernel("asin"), acos: unaryKernel("acos"),
  atan: unaryKernel("atan"), sinh: unaryKernel("sinh"), cosh: unaryKernel("cosh"),
  logistic: unaryKernel("logistic"), erf: unaryKernel("erf"), abs: unaryKernel("abs"), sign: unaryKernel("sign"),
  floor: unaryKernel("floor"), ceil: unaryKernel("ceil"), round: unaryKernel("round"),
  add: binaryKernel("add"), sub: binaryKernel("sub"), mul: binaryKernel("mul"), div: binaryKernel("div"),
  pow: binaryKernel("pow"), max: binaryKernel("max"), min: binaryKernel("min"), atan2: binaryKernel("atan2"),
  rem: binaryKernel("rem"),
  eq: compareKernel("eq"), ne: compareKernel("ne"), lt: compareKernel("lt"), le: compareKernel("le"),
  gt: compareKernel("gt"), ge: compareKernel("ge"),
  and: logicalKernel("and"), or: logicalKernel("or"), xor: logicalKernel("xor"), not: notKernel,
  select: selectKernel,
  cast: castKernel,
  stop_gradient: reshapeKernel,
  reduce_sum: reduceKernel("reduce_sum"), reduce_max: reduceKernel("reduce_max"),
  reduce_min: reduceKernel("reduce_min"), reduce_prod: reduceKernel("reduce_prod"),
  argmax: argKernel(true), argmin: argKernel(false),
  cumsum: cumsumKernel,
  reshape: reshapeKernel,
  broadcast_to: broadcastToKernel,
  transpose: transposeKernel,
  slice: sliceKernel,
  pad: padKernel,
  concatenate: concatenateKernel,
  rev: revKernel,
  gather: gatherKernel,
  scatter_add: scatterAddKernel,
  dot: dotKernel,
  conv: convKernel,
  reduce_window_max: reduceWindowMaxKernel,
  select_and_gather_add: selectAndGatherAddKernel,
  select_and_scatter_add: selectAndScatterAddKernel,
  random_bits: randomBitsKernel,
  argsort: argsortKernel,
  cholesky: choleskyKernel,
  triangular_solve: triangularSolveKernel,
  lu: luKernel,
  qr: qrKernel,
  eigh: eighKernel,
  svd: svdKernel,
};
