/** `fx.tree`: the public pytree helpers. */
export { flatten, unflatten, leaves, map, structure, PYTREE, type TreeDef, type PytreeNode } from "./tree.js";
