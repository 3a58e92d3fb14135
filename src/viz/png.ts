/** Minimal PNG encoding (8-bit grayscale or RGB), for image grids in reports. */
import { nodeModule } from "../core/platform.js";
import { crc32 } from "../io/crc32.js";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Encodes 8-bit pixels, row-major, `channels` 1 (gray) or 3 (RGB). */
export function encodePng(pixels: Uint8Array, width: number, height: number, channels: 1 | 3 = 1): Uint8Array {
  const header = new Uint8Array(13);
  const hv = new DataView(header.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 1 ? 0 : 2;
  // Each row starts with filter byte 0 (none).
  const rowLen = width * channels;
  const raw = new Uint8Array(height * (rowLen + 1));
  for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowLen, (y + 1) * rowLen), y * (rowLen + 1) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", new Uint8Array(nodeModule("node:zlib", "encodePng").deflateSync(raw))),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A grayscale image in [0, 1] (or [0, 255] when `scale255`) as a data: URI. */
export function pngDataUri(values: ArrayLike<number>, width: number, height: number): string {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  // Values already in [0, 1] are shown as they are; anything else is min–max scaled.
  const [a, b] = lo >= 0 && hi <= 1 ? [0, 1] : lo >= 0 && hi <= 255 && hi > 1 ? [0, 255] : [lo, hi === lo ? lo + 1 : hi];
  const px = new Uint8Array(width * height);
  for (let i = 0; i < px.length; i++) px[i] = Math.round(((values[i]! - a) / (b - a)) * 255);
  return `data:image/png;base64,${base64(encodePng(px, width, height))}`;
}

/** Base64 with the platform's `btoa` (Node and browsers both have it). */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return btoa(text);
}
