/** The indices of the k smallest values of a row, in increasing order of value (ties: lower index first). */
export function smallestK(values: Float64Array | Float32Array, offset: number, length: number, k: number, skip = -1): Int32Array {
  // A sorted buffer of the best k seen so far; insertion is cheap because k ≪ length.
  const idx = new Int32Array(k).fill(-1);
  const val = new Float64Array(k).fill(Infinity);
  let filled = 0;
  for (let j = 0; j < length; j++) {
    if (j === skip) continue;
    const v = values[offset + j]!;
    if (filled === k && v >= val[k - 1]!) continue;
    let p = filled < k ? filled++ : k - 1;
    while (p > 0 && val[p - 1]! > v) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = v;
    idx[p] = j;
  }
  return filled === k ? idx : idx.subarray(0, filled);
}
