/**
 * The text corpus of the Debian `fortunes` package (apt-get install -y fortunes):
 * the fortune files under /usr/share/games/fortunes, split into single
 * fortunes at their "%" separator lines.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const FORTUNE_DIR = "/usr/share/games/fortunes";
/** Files of pictures, not prose. */
const SKIP = new Set(["art", "ascii-art"]);

export function loadFortunes(dir = FORTUNE_DIR): { name: string; fortunes: string[] }[] {
  if (!existsSync(dir)) throw new Error(`${dir} not found: install the corpus with  apt-get install -y fortunes`);
  return readdirSync(dir)
    .filter((f) => !f.includes(".") && !SKIP.has(f) && statSync(join(dir, f)).isFile())
    .sort()
    .map((name) => ({
      name,
      fortunes: readFileSync(join(dir, name), "utf8").split(/^%\s*$/m).map((s) => s.replace(/^\n+|\s+$/g, "")).filter((s) => s.length > 0),
    }));
}

/** A deterministic shuffle (mulberry32), so the train/validation split is the same on every run. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
