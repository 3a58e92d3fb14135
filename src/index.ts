/**
 * Fluxion: differentiable programming and machine learning for TypeScript.
 *
 *   import * as fx from "fluxion";
 *   const df = fx.grad((x, y) => x.sub(y).pow(2));
 *   df(5, 2).item(); // 6
 */
import "./primitives/table.js";
export { Tensor, ConcreteTensor, type Aval, type NestedArray } from "./core/tensor.js";
export { type DType, DTYPES, promoteTypes, isFloat } from "./core/dtype.js";
export * from "./core/errors.js";
export { config } from "./core/config.js";
export * as tree from "./core/tree-api.js";
export * from "./ops/index.js";
export { variance as var } from "./ops/reduce.js";
export * from "./transforms/index.js";
export { setBackend, getBackend, backendNames } from "./backend/registry.js";
import "./backend/wasm/index.js";
export { setThreads, getThreads } from "./backend/wasm/runtime.js";
