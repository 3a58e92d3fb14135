import { pendingPrimitive } from "./pending.js";
export const randomBits = pendingPrimitive("random_bits");
