/**
 * A small PNG reader (the format of RFC 2083 / ISO 15948): 8-bit grayscale,
 * grayscale + alpha, RGB and RGBA images, non-interlaced, with all five
 * row filters (None, Sub, Up, Average, Paeth). Every malformed file is
 * rejected with a FileFormatError that says what is wrong: bad signature,
 * truncated or oversized chunks, CRC mismatches, missing IHDR/IDAT/IEND,
 * unsupported bit depths or colour types, data that inflates to the wrong
 * size. Decompression is capped at the size the header announces, so a
 * small hostile file cannot make it allocate much.
 *
 *   const img = io.decodePng(readFileSync("digit.png"));  // { width, height, channels, data }
 *   const gray = io.pngToGray(img);                        // Float32Array in [0, 1]
 */
import { FileFormatError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";
import { crc32 } from "./crc32.js";

export interface DecodedPng {
  width: number;
  height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  channels: 1 | 2 | 3 | 4;
  /** Row-major 8-bit samples, channels interleaved: width · height · channels bytes. */
  data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Colour type → samples per pixel, for the types read here. */
const CHANNELS: Record<number, 1 | 2 | 3 | 4> = { 0: 1, 4: 2, 2: 3, 6: 4 };
const COLOR_NAMES: Record<number, string> = { 0: "grayscale", 2: "RGB", 3: "palette", 4: "grayscale+alpha", 6: "RGBA" };
/** Larger images are refused: this reader is for small inputs such as digits. */
const MAX_PIXELS = 1 << 26;

/** Decodes PNG bytes; `name` (a file name) is used in error messages. */
export function decodePng(bytes: Uint8Array, name = "PNG data"): DecodedPng {
  const fail = (why: string): never => {
    throw new FileFormatError(`decodePng: ${name}: ${why}`);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) fail("not a PNG file (the 8-byte PNG signature is missing)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let header: { width: number; height: number; depth: number; color: number; interlace: number } | undefined;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let sawEnd = false;
  let lastType = "";
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) fail(`truncated chunk header at byte ${pos} (the file has ${bytes.length} bytes)`);
    const length = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!, bytes[pos + 6]!, bytes[pos + 7]!);
    if (!/^[A-Za-z]{4}$/.test(type)) fail(`invalid chunk type at byte ${pos + 4}`);
    const dataStart = pos + 8;
    if (length > 0x7fffffff || dataStart + length + 4 > bytes.length) {
      fail(`chunk ${type} at byte ${pos} claims ${length} bytes but the file ends at ${bytes.length}`);
    }
    const stored = view.getUint32(dataStart + length);
    if (crc32(bytes.subarray(pos + 4, dataStart + length)) !== stored) fail(`chunk ${type} at byte ${pos} fails its CRC check (corrupted file)`);
    const data = bytes.subarray(dataStart, dataStart + length);
    if (header === undefined && type !== "IHDR") fail(`the first chunk is ${type}; a PNG must start with IHDR`);
    switch (type) {
      case "IHDR": {
        if (header !== undefined) fail("more than one IHDR chunk");
        if (length !== 13) fail(`IHDR has ${length} bytes, expected 13`);
        const dv = new DataView(data.buffer, data.byteOffset, 13);
        header = { width: dv.getUint32(0), height: dv.getUint32(4), depth: data[8]!, color: data[9]!, interlace: data[12]! };
        if (data[10] !== 0 || data[11] !== 0) fail(`unknown compression method ${data[10]} or filter method ${data[11]} (both must be 0)`);
        break;
      }
      case "IDAT":
        if (idat.length > 0 && lastType !== "IDAT") fail("IDAT chunks are not consecutive");
        idat.push(data);
        idatBytes += length;
        break;
      case "IEND":
        sawEnd = true;
        break;
      default:
        // Ancillary chunks (lower-case first letter) can be skipped; unknown critical ones cannot.
        if (type !== "PLTE" && (type.charCodeAt(0) & 0x20) === 0) fail(`unknown critical chunk ${type}`);
    }
    lastType = type;
    pos = dataStart + length + 4;
    if (sawEnd) break;
  }
  if (header === undefined) fail("no IHDR chunk");
  const h = header!;
  if (!sawEnd) fail("no IEND chunk (the file is truncated)");
  if (idat.length === 0) fail("no IDAT chunk (no image data)");
  if (h.width === 0 || h.height === 0) fail(`the image is ${h.width}×${h.height}; both sides must be at least 1`);
  if (h.width * h.height > MAX_PIXELS) fail(`the image is ${h.width}×${h.height}, more than the ${MAX_PIXELS} pixels this reader accepts`);
  const channels = CHANNELS[h.color];
  if (channels === undefined) {
    const what = COLOR_NAMES[h.color] ?? `unknown colour type ${h.color}`;
    fail(`${what} images are not supported (use 8-bit grayscale, grayscale+alpha, RGB or RGBA)`);
  }
  if (h.depth !== 8) fail(`bit depth ${h.depth} is not supported (only 8 bits per sample)`);
  if (h.interlace !== 0) fail(h.interlace === 1 ? "interlaced (Adam7) images are not supported; save the image without interlacing" : `unknown interlace method ${h.interlace}`);

  const bpp = channels!;
  const stride = h.width * bpp;
  const expected = h.height * (stride + 1);
  const compressed = new Uint8Array(idatBytes);
  let o = 0;
  for (const part of idat) {
    compressed.set(part, o);
    o += part.length;
  }
  let raw: Uint8Array;
  const { inflateSync } = nodeModule("node:zlib", `decodePng(${name})`);
  try {
    raw = new Uint8Array(inflateSync(compressed, { maxOutputLength: expected + 1 }));
  } catch (e) {
    const msg = (e as Error).message;
    return fail(/maxOutputLength|buffer/i.test(msg) ? `the image data inflates to more than the ${expected} bytes a ${h.width}×${h.height} image needs` : `the image data is not valid zlib data (${msg})`);
  }
  if (raw.length !== expected) fail(`the image data inflates to ${raw.length} bytes, but a ${h.width}×${h.height} ${COLOR_NAMES[h.color]} image needs ${expected}`);

  const out = new Uint8Array(h.height * stride);
  for (let y = 0; y < h.height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride; // only read when y > 0
    switch (filter) {
      case 0:
        out.set(raw.subarray(src, src + stride), row);
        break;
      case 1: // Sub: the byte bpp to the left
        for (let i = 0; i < stride; i++) out[row + i] = raw[src + i]! + (i >= bpp ? out[row + i - bpp]! : 0);
        break;
      case 2: // Up: the byte above
        for (let i = 0; i < stride; i++) out[row + i] = raw[src + i]! + (y > 0 ? out[prev + i]! : 0);
        break;
      case 3: // Average of left and above, rounded down
        for (let i = 0; i < stride; i++) {
          const left = i >= bpp ? out[row + i - bpp]! : 0;
          const up = y > 0 ? out[prev + i]! : 0;
          out[row + i] = raw[src + i]! + ((left + up) >> 1);
        }
        break;
      case 4: // Paeth: whichever of left, above, upper-left is closest to left + above − upper-left
        for (let i = 0; i < stride; i++) {
          const a = i >= bpp ? out[row + i - bpp]! : 0;
          const b = y > 0 ? out[prev + i]! : 0;
          const c = i >= bpp && y > 0 ? out[prev + i - bpp]! : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          out[row + i] = raw[src + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
        break;
      default:
        fail(`row ${y} has filter type ${filter}; PNG filter types are 0 to 4`);
    }
  }
  return { width: h.width, height: h.height, channels: bpp, data: out };
}

/** Reads and decodes a PNG file. */
export function loadPng(path: string): DecodedPng {
  return decodePng(new Uint8Array(nodeModule("node:fs", `loadPng(${path})`).readFileSync(path)), path);
}

/**
 * Gray levels in [0, 1], row-major: RGB by luminance (0.299 R + 0.587 G +
 * 0.114 B), and transparent pixels composited over white, as viewers show them.
 */
export function pngToGray(img: DecodedPng): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const d = img.data;
  const c = img.channels;
  for (let i = 0; i < n; i++) {
    const p = i * c;
    const gray = c >= 3 ? 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]! : d[p]!;
    const alpha = c === 2 ? d[p + 1]! / 255 : c === 4 ? d[p + 3]! / 255 : 1;
    out[i] = (gray * alpha + 255 * (1 - alpha)) / 255;
  }
  return out;
}
