/**
 * Saving and loading vocabularies as JSON. Loading checks every field, so a
 * corrupt or hostile file is rejected with a FileFormatError naming what is wrong.
 */
import { FileFormatError, FluxionError } from "../core/errors.js";
import { nodeModule } from "../core/platform.js";
import { writeFileAtomic } from "../io/atomic-write.js";
import { BPETokenizer } from "./bpe.js";
import { CharTokenizer } from "./char.js";
import type { Tokenizer, TokenizerJSON } from "./tokenizer.js";

type Vocab = CharTokenizer | BPETokenizer;

/** Rebuilds a tokenizer from the object `tok.toJSON()` returned (or a JSON string of it). */
export function tokenizerFromJSON(json: TokenizerJSON | string, source = "tokenizerFromJSON"): Vocab {
  let obj: unknown = json;
  if (typeof json === "string") {
    try {
      obj = JSON.parse(json);
    } catch (e) {
      throw new FileFormatError(`${source}: not valid JSON (${(e as Error).message})`);
    }
  }
  const bad = (what: string) => new FileFormatError(`${source}: ${what}`);
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) throw bad("expected a JSON object");
  const o = obj as Record<string, unknown>;
  if (o.format !== "fluxion-tokenizer") throw bad(`"format" must be "fluxion-tokenizer", got ${JSON.stringify(o.format)}`);
  if (o.version !== 1) throw bad(`unsupported version ${JSON.stringify(o.version)} (this version of Fluxion reads version 1)`);
  try {
    if (o.type === "char") {
      if (!Array.isArray(o.chars) || !o.chars.every((c) => typeof c === "string")) throw bad(`"chars" must be an array of strings`);
      if (o.unknown !== "unk" && o.unknown !== "bytes" && o.unknown !== "error") throw bad(`"unknown" must be "unk", "bytes" or "error", got ${JSON.stringify(o.unknown)}`);
      return new CharTokenizer(o.chars as string[], { unknown: o.unknown });
    }
    if (o.type === "bpe") {
      if (!Array.isArray(o.merges)) throw bad(`"merges" must be an array of [a, b] id pairs`);
      o.merges.forEach((m, i) => {
        if (!Array.isArray(m) || m.length !== 2 || !m.every((x) => Number.isInteger(x))) throw bad(`merge ${i} must be a pair of integer ids, got ${JSON.stringify(m)}`);
      });
      const specials = o.specialTokens ?? [];
      if (!Array.isArray(specials) || !specials.every((s) => typeof s === "string")) throw bad(`"specialTokens" must be an array of strings`);
      return new BPETokenizer(o.merges as [number, number][], specials as string[]);
    }
  } catch (e) {
    // Constructor checks (a merge of a later id, a repeated character) are format errors here.
    if (e instanceof FileFormatError || !(e instanceof FluxionError)) throw e;
    throw bad(e.message);
  }
  throw bad(`"type" must be "char" or "bpe", got ${JSON.stringify(o.type)}`);
}

/** Writes the vocabulary as JSON, atomically (a temporary file renamed over the target). */
export function saveTokenizer(path: string, tokenizer: Tokenizer): void {
  writeFileAtomic(path, JSON.stringify(tokenizer.toJSON()), "saveTokenizer");
}

/** Reads a vocabulary written by `saveTokenizer`. */
export function loadTokenizer(path: string): Vocab {
  const op = `loadTokenizer(${path})`;
  return tokenizerFromJSON(nodeModule("node:fs", op).readFileSync(path, "utf8"), op);
}
