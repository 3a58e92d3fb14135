/** Jacobians and Hessians from vmap over jvp (forward) or vjp (reverse). */
import { sizeOf } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { flatten, map, unflatten } from "../core/tree.js";
import * as lax from "../primitives/lax.js";
import { filled } from "../primitives/constant.js";
import { jvp } from "./jvp.js";
import { vjp } from "./grad.js";
import { vmap } from "./vmap.js";
import { toTensor } from "./args.js";

export interface JacOptions {
  argnums?: number;
}

/** Rows of the identity, shaped [n, ...shape]: one basis direction per row. */
function basis(shape: readonly number[], dtype: Tensor["dtype"]): Tensor {
  const n = sizeOf(shape);
  const eye = filled([n, n], 0, dtype);
  const data = eye.buffer.view();
  for (let i = 0; i < n; i++) data[i * n + i] = 1;
  return lax.reshape(eye, [n, ...shape]);
}

const tensorLeaves = (op: string, tree: unknown): Tensor[] => flatten(tree)[0].map((l) => toTensor(l, op));

/**
 * `fx.jacrev(f)`: Jacobian by reverse mode (one vjp per output element, vmapped).
 * For an output leaf y and an input leaf x the block has shape y.shape + x.shape;
 * with pytrees the result is the output's structure holding the input's structure.
 */
export function jacrev(f: (...a: any[]) => unknown, opts: JacOptions = {}) {
  const argnum = opts.argnums ?? 0;
  return (...args: any[]): any => {
    const fx = (x: unknown) => f(...args.map((a, i) => (i === argnum ? x : a)));
    const x = map((l: unknown) => toTensor(l, "jacrev"), args[argnum]);
    const [y, pullback] = vjp(fx, x);
    const [, yDef] = flatten(y);
    const yLeaves = tensorLeaves("jacrev", y);
    const blocks = yLeaves.map((yt, o) => {
      const seed = (ct: Tensor) => unflatten(yDef, yLeaves.map((l, k) => (k === o ? ct : lax.zerosLike(l))));
      const rows = vmap((ct: Tensor) => pullback(seed(ct))[0])(basis(yt.shape, yt.dtype));
      return map((g: Tensor) => lax.reshape(g, [...yt.shape, ...g.shape.slice(1)]), rows);
    });
    return unflatten(yDef, blocks);
  };
}

/**
 * `fx.jacfwd(f)`: Jacobian by forward mode (one jvp per input element, vmapped),
 * laid out as jacrev's: blocks y.shape + x.shape, output structure of input structure.
 */
export function jacfwd(f: (...a: any[]) => unknown, opts: JacOptions = {}) {
  const argnum = opts.argnums ?? 0;
  return (...args: any[]): any => {
    const [leaves, inDef] = flatten(args[argnum]);
    const xs = leaves.map((l) => toTensor(l, "jacfwd"));
    const fx = (...xv: Tensor[]) => f(...args.map((a, i) => (i === argnum ? unflatten(inDef, xv) : a)));
    // Per input leaf: the columns for its basis directions, as a tree shaped like f's output.
    let outDef = xs.length ? null : flatten(fx())[1];
    const perInput = xs.map((x, k) => {
      const tangents = (t: Tensor) => xs.map((o, j) => (j === k ? t : lax.zerosLike(o)));
      const cols = vmap((t: Tensor) => jvp(fx, xs, tangents(t))[1])(basis(x.shape, x.dtype));
      outDef = flatten(cols)[1];
      // Each leaf is [x.size, ...y.shape] → [...y.shape, ...x.shape].
      return tensorLeaves("jacfwd", cols).map((c) => lax.reshape(lax.moveAxis(c, 0, c.ndim - 1), [...c.shape.slice(1), ...x.shape]));
    });
    const nOut = perInput[0]?.length ?? flatten(fx())[0].length;
    const blocks = Array.from({ length: nOut }, (_, o) => unflatten(inDef, perInput.map((p) => p[o]!)));
    return unflatten(outDef!, blocks);
  };
}

/** `fx.hessian(f)`: jacfwd(jacrev(f)), shape x.shape + x.shape for scalar f. */
export function hessian(f: (...a: any[]) => unknown, opts: JacOptions = {}) {
  return jacfwd(jacrev(f, opts), opts);
}
