export { type Key, key, split, splitStacked, foldIn } from "./keys.js";
export { bits } from "./bits.js";
export { uniform, normal, truncatedNormal, gumbel, type UniformOptions, type NormalOptions, type TruncatedNormalOptions } from "./continuous.js";
export { bernoulli, randint, categorical } from "./discrete.js";
export { permutation, choice, type ChoiceOptions } from "./permutation.js";
