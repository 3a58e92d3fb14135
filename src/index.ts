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
export { FluxionError, ShapeError, DTypeError, IndexError, ValueError, TransformError, ConcretizationError, DisposedError, NanError, FileFormatError, DataNotFoundError, PlatformError } from "./core/errors.js";
export { config } from "./core/config.js";
export * as tree from "./core/tree-api.js";
export * as linalg from "./ops/linalg.js";
export * from "./ops/index.js";
export { variance as var } from "./ops/reduce.js";
export * from "./transforms/index.js";
export { setBackend, getBackend, backendNames } from "./backend/registry.js";
export * as losses from "./losses/index.js";
export * as optim from "./optim/index.js";
export * as metrics from "./metrics/index.js";
export * as viz from "./viz/index.js";
export * from "./control/index.js";
export * as random from "./random/index.js";
export * as nn from "./nn/index.js";
export * as io from "./io/index.js";
export * as data from "./data/index.js";
export * as train from "./train/index.js";
export * as ml from "./ml/index.js";
import "./backend/wasm/index.js";
import { backendFromEnv } from "./backend/registry.js";
backendFromEnv("wasm");
export { setThreads, getThreads, threadsReady } from "./backend/wasm/runtime.js";
export * as text from "./text/index.js";
export * as graph from "./graph/index.js";
