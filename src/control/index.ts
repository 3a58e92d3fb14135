export { scan, scanPrimitive, type ScanOptions, type ScanParams } from "./scan.js";
export { cond, condPrimitive, type CondParams } from "./cond.js";
export { whileLoop, fori, whilePrimitive, type WhileParams } from "./while.js";
