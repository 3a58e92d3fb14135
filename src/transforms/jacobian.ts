/** Jacobians and Hessians from vmap over jvp (forward) or vjp (reverse). */
import { TransformError } from "../core/errors.js";
import { sizeOf } from "../core/shape.js";
import { Tensor } from "../core/tensor.js";
import { map } from "../core/tree.js";
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

function single(op: string, out: unknown): Tensor {
  if (!(out instanceof Tensor)) throw new TransformError(`${op}: f must return a single tensor`);
  return out;
}

/** `fx.jacrev(f)`: Jacobian by reverse mode, shape out.shape + x.shape (one vjp per output element, vmapped). */
export function jacrev(f: (...a: any[]) => unknown, opts: JacOptions = {}) {
  const argnum = opts.argnums ?? 0;
  return (...args: any[]): any => {
    const fx = (x: unknown) => single("jacrev", f(...args.map((a, i) => (i === argnum ? x : a))));
    const x = map((l: unknown) => toTensor(l, "jacrev"), args[argnum]);
    const [y, pullback] = vjp(fx, x);
    const yt = y as Tensor;
    const rows = vmap((ct: Tensor) => pullback(ct)[0])(basis(yt.shape, yt.dtype));
    return map((g: Tensor) => lax.reshape(g, [...yt.shape, ...g.shape.slice(1)]), rows);
  };
}

/** `fx.jacfwd(f)`: Jacobian by forward mode, shape out.shape + x.shape (one jvp per input element, vmapped). */
export function jacfwd(f: (...a: any[]) => unknown, opts: JacOptions = {}) {
  const argnum = opts.argnums ?? 0;
  return (...args: any[]): any => {
    const x = toTensor(args[argnum], "jacfwd");
    const fx = (xv: Tensor) => single("jacfwd", f(...args.map((a, i) => (i === argnum ? xv : a))));
    const cols = vmap((t: Tensor) => jvp(fx, [x], [t])[1] as Tensor)(basis(x.shape, x.dtype)) as Tensor;
    // cols: [x.size, ...y.shape] → [...y.shape, ...x.shape]
    const yRank = cols.shape.length - 1;
    const moved = lax.moveAxis(cols, 0, yRank);
    return lax.reshape(moved, [...cols.shape.slice(1), ...x.shape]);
  };
}

/** `fx.hessian(f)`: jacfwd(jacrev(f)), shape x.shape + x.shape for scalar f. */
export function hessian(f: (...a: any[]) => unknown, opts: JacOptions = {}) {
  return jacfwd(jacrev(f, opts), opts);
}
