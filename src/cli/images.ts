/** Reading images for `fluxion predict`: PNG files and IDX files of images. */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { FileFormatError } from "../core/errors.js";
import { decodePng, pngToGray } from "../io/png.js";
import { decodeIdx } from "../data/idx.js";

export interface InputImage {
  /** "file" or "file[i]" for the i-th image of an IDX file. */
  name: string;
  /** Gray levels in [0, 1], row-major. */
  pixels: Float32Array;
  width: number;
  height: number;
}

/** The images a file holds: one for a PNG, N for an IDX file of [N, H, W] (or one [H, W]) images. */
export function readImages(path: string): InputImage[] {
  const bytes = new Uint8Array(readFileSync(path));
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    const img = decodePng(bytes, path);
    return [{ name: path, pixels: pngToGray(img), width: img.width, height: img.height }];
  }
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? new Uint8Array(gunzipSync(bytes)) : bytes;
  if (raw.length >= 4 && raw[0] === 0 && raw[1] === 0) {
    const t = decodeIdx(raw);
    const shape = t.shape.length === 2 ? [1, ...t.shape] : t.shape;
    if (shape.length !== 3) throw new FileFormatError(`predict: ${path} is an IDX file of shape [${t.shape.join(", ")}], not images [N, H, W]`);
    const [n, h, w] = shape as [number, number, number];
    const data = t.data();
    const scale = t.dtype === "uint8" ? 1 / 255 : 1;
    return Array.from({ length: n }, (_, i) => ({
      name: n === 1 ? path : `${path}[${i}]`,
      pixels: Float32Array.from(data.subarray(i * h * w, (i + 1) * h * w), (v) => v * scale),
      width: w,
      height: h,
    }));
  }
  throw new FileFormatError(`predict: ${path} is neither a PNG file nor an IDX file (checked the first bytes)`);
}

/** Bilinear resampling to width × height (pixel centres aligned), or the same array when the size already fits. */
export function resize(img: InputImage, width: number, height: number): Float32Array {
  if (img.width === width && img.height === height) return img.pixels;
  const out = new Float32Array(width * height);
  const sx = img.width / width, sy = img.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), img.height - 1);
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, img.height - 1), ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), img.width - 1);
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, img.width - 1), tx = fx - x0;
      const p = img.pixels;
      const top = p[y0 * img.width + x0]! * (1 - tx) + p[y0 * img.width + x1]! * tx;
      const bottom = p[y1 * img.width + x0]! * (1 - tx) + p[y1 * img.width + x1]! * tx;
      out[y * width + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}
