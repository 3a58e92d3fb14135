export { grad, valueAndGrad, vjp, type GradOptions } from "./grad.js";
export { jvp } from "./jvp.js";
export { vmap, type VmapOptions } from "./vmap.js";
export { jit, type JitOptions, type Jitted } from "./jit.js";
export { Program } from "./program.js";
export { jacfwd, jacrev, hessian, type JacOptions } from "./jacobian.js";
export { customVjp, checkpoint, stopGradient, type CustomVjpRules } from "./custom.js";
export { traceTable, type TraceTable, type TraceRow, type TraceTableOptions, type TraceMode } from "./trace-table.js";
