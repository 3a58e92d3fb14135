/** Character-level tokenization: one id per Unicode code point. */
import { IndexError, ValueError } from "../core/errors.js";
import { checkIds, type CharTokenizerJSON, type Tokenizer, type UnknownPolicy } from "./tokenizer.js";
import { utf8Bytes, utf8Decode } from "./utf8.js";

export interface CharTokenizerOptions {
  /** Characters outside the vocabulary: "unk" (default), "bytes" (byte fallback, exact) or "error". */
  unknown?: UnknownPolicy;
}

/**
 * Ids 0 … n−1 are the corpus's distinct characters (code points) in code
 * point order; then, by the unknown-character policy, one `<unk>` id
 * ("unk"), 256 byte ids ("bytes": an unseen character is spelled as its
 * UTF-8 bytes, so decode(encode(s)) = s for every string), or nothing ("error").
 *
 *   const tok = text.CharTokenizer.fromText("hello world");
 *   tok.encode("hold");             // [3, 5, 4, 1]  (" " is 0, "d" 1, "e" 2, "h" 3, ...)
 *   tok.decode(tok.encode("hold")); // "hold"
 */
export class CharTokenizer implements Tokenizer {
  readonly chars: readonly string[];
  readonly unknown: UnknownPolicy;
  private readonly ids: Map<string, number>;

  constructor(chars: readonly string[], opts: CharTokenizerOptions = {}) {
    this.unknown = opts.unknown ?? "unk";
    if (!["unk", "bytes", "error"].includes(this.unknown)) throw new ValueError(`CharTokenizer: unknown must be "unk", "bytes" or "error", got ${String(this.unknown)}`);
    this.ids = new Map();
    chars.forEach((c, i) => {
      if (typeof c !== "string" || [...c].length !== 1) throw new ValueError(`CharTokenizer: vocabulary entry ${i} must be one character (code point), got ${JSON.stringify(c)}`);
      if (this.ids.has(c)) throw new ValueError(`CharTokenizer: character ${JSON.stringify(c)} appears twice in the vocabulary`);
      this.ids.set(c, i);
    });
    this.chars = [...chars];
  }

  /** A tokenizer whose vocabulary is every distinct character of `corpus`. */
  static fromText(corpus: string, opts: CharTokenizerOptions = {}): CharTokenizer {
    const set = new Set<string>();
    for (const c of corpus) set.add(c);
    const chars = [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars, opts);
  }

  get vocabSize(): number {
    return this.chars.length + (this.unknown === "unk" ? 1 : this.unknown === "bytes" ? 256 : 0);
  }

  /** The id of `<unk>` (only with unknown: "unk"). */
  get unkId(): number {
    if (this.unknown !== "unk") throw new ValueError(`CharTokenizer: there is no <unk> id with unknown: "${this.unknown}"`);
    return this.chars.length;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    let pos = 0;
    for (const c of text) {
      const id = this.ids.get(c);
      if (id !== undefined) out.push(id);
      else if (this.unknown === "unk") out.push(this.chars.length);
      else if (this.unknown === "bytes") for (const b of utf8Bytes(c)) out.push(this.chars.length + b);
      else throw new ValueError(`CharTokenizer.encode: character ${JSON.stringify(c)} (U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}) at position ${pos} is not in the vocabulary of ${this.chars.length} characters`);
      pos += c.length;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    checkIds("CharTokenizer.decode", ids, this.vocabSize, (m) => new IndexError(m));
    let s = "";
    const bytes: number[] = [];
    const flush = () => {
      if (bytes.length) s += utf8Decode(Uint8Array.from(bytes));
      bytes.length = 0;
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (id < this.chars.length) {
        flush();
        s += this.chars[id];
      } else if (this.unknown === "bytes") {
        bytes.push(id - this.chars.length);
      } else {
        flush();
        s += "\uFFFD";
      }
    }
    flush();
    return s;
  }

  tokenString(id: number): string {
    checkIds("CharTokenizer.tokenString", [id], this.vocabSize, (m) => new IndexError(m));
    if (id < this.chars.length) return this.chars[id]!;
    return this.unknown === "unk" ? "<unk>" : `<0x${(id - this.chars.length).toString(16).toUpperCase().padStart(2, "0")}>`;
  }

  toJSON(): CharTokenizerJSON {
    return { format: "fluxion-tokenizer", version: 1, type: "char", chars: [...this.chars], unknown: this.unknown };
  }
}
