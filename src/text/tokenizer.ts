/** What every tokenizer offers, and the JSON header its vocabulary file carries. */

export interface Tokenizer {
  /** Number of distinct token ids: ids are 0 … vocabSize − 1. */
  readonly vocabSize: number;
  /** Token ids of a string. */
  encode(text: string): number[];
  /** The string a list of ids stands for. */
  decode(ids: ArrayLike<number>): string;
  /** A readable form of one token (for printing vocabularies and samples). */
  tokenString(id: number): string;
  /** The vocabulary as a JSON-able object; `text.tokenizerFromJSON` rebuilds the tokenizer. */
  toJSON(): TokenizerJSON;
}

/** The common header of a saved vocabulary. */
export interface TokenizerJSONHeader {
  format: "fluxion-tokenizer";
  version: 1;
}

export interface CharTokenizerJSON extends TokenizerJSONHeader {
  type: "char";
  /** The characters (Unicode code points as strings), in id order. */
  chars: string[];
  unknown: UnknownPolicy;
}

export interface BPETokenizerJSON extends TokenizerJSONHeader {
  type: "bpe";
  /** Merges in the order they were learned: merge i joins ids [a, b] into id 256 + i. */
  merges: [number, number][];
  /** Strings kept whole (never split or merged); their ids follow the merges. */
  specialTokens: string[];
}

export type TokenizerJSON = CharTokenizerJSON | BPETokenizerJSON;

/**
 * What a character tokenizer does with a character outside its vocabulary:
 * "unk" maps it to one `<unk>` id (lossy), "bytes" spells it with 256 byte
 * tokens (exact round trip), "error" throws.
 */
export type UnknownPolicy = "unk" | "bytes" | "error";

/** Checks that ids are integers in [0, vocabSize). */
export function checkIds(op: string, ids: ArrayLike<number>, vocabSize: number, fail: (msg: string) => Error): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw fail(`${op}: id ${id} at position ${i} is not a token id (the vocabulary has ${vocabSize} ids, 0 … ${vocabSize - 1})`);
    }
  }
}
