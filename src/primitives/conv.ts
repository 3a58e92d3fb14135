import { pendingPrimitive } from "./pending.js";
export const conv = pendingPrimitive("conv");
export const reduceWindowMax = pendingPrimitive("reduce_window_max");
