/** Reference batched matmul: [..., M, K] @ [..., K, N], equal batch shapes. */
import { allocate, type TypedArray } from "../../../core/dtype.js";
import { sizeOf } from "../../../core/shape.js";
import type { Aval } from "../../../core/tensor.js";
import type { KernelInput } from "../../spec.js";

export function dotKernel([a, b]: KernelInput[], _p: unknown, [out]: Aval[]): TypedArray[] {
  const r = a!.shape.length;
  const M = a!.shape[r - 2]!;
  const K = a!.shape[r - 1]!;
  const N = b!.shape[r - 1]!;
  const batch = sizeOf(a!.shape.slice(0, r - 2));
  const A = a!.data, B = b!.data;
  const dst = allocate(out!.dtype, batch * M * N);
  const isInt = out!.dtype === "int32" || out!.dtype === "uint8";
  // i-k-j order: the inner loop walks rows of B and C contiguously.
  const row = new Float64Array(N);
  for (let bi = 0; bi < batch; bi++) {
    const ao = bi * M * K, bo = bi * K * N, co = bi * M * N;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const aik = A[ao + i * K + k]!;
        const bk = bo + k * N;
        for (let j = 0; j < N; j++) row[j]! += aik * B[bk + j]!;
      }
      for (let j = 0; j < N; j++) dst[co + i * N + j] = isInt ? row[j]! | 0 : row[j]!;
    }
  }
  return [dst];
}
