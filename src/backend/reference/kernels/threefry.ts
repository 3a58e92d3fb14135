/**
 * Threefry-2x32 with 20 rounds (Salmon, Moraes, Dror & Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011): a keyed bijection of 64-bit counter
 * blocks, used as a counter-based random number generator.
 *
 * Each round: x0 += x1; x1 = rotl(x1, R[r mod 8]); x1 ^= x0, with the paper's
 * rotation constants R = 13 15 26 6 17 29 16 24. Every 4 rounds a key word
 * pair is injected from the schedule ks = [k0, k1, k0 ^ k1 ^ 0x1BD11BDA],
 * plus the injection count (Skein's key schedule).
 */

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;
const PARITY = 0x1bd11bda;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));

/**
 * Encrypts the counter block (c0, c1) under the key (k0, k1); all words are
 * uint32 bit patterns (any JS number, taken mod 2^32). Writes the two output
 * words as int32 bit patterns into `out[at]` and `out[at + 1]`.
 */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: Int32Array, at = 0): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  const ks2 = ks0 ^ ks1 ^ PARITY;
  const ks = [ks0, ks1, ks2];
  let x0 = (c0 + ks0) | 0;
  let x1 = (c1 + ks1) | 0;
  for (let round = 0; round < 20; round++) {
    x0 = (x0 + x1) | 0;
    x1 = rotl(x1, ROTATIONS[round % 8]!) ^ x0;
    if (round % 4 === 3) {
      const s = (round + 1) / 4;
      x0 = (x0 + ks[s % 3]!) | 0;
      x1 = (x1 + ks[(s + 1) % 3]! + s) | 0;
    }
  }
  out[at] = x0;
  out[at + 1] = x1;
}
