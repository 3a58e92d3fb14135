/** `fx.text`: tokenizers (character-level and byte-level BPE) and their vocabulary files. */
export { type Tokenizer, type TokenizerJSON, type CharTokenizerJSON, type BPETokenizerJSON, type UnknownPolicy } from "./tokenizer.js";
export { CharTokenizer, type CharTokenizerOptions } from "./char.js";
export { BPETokenizer, type BPETrainOptions } from "./bpe.js";
export { pretokenize } from "./pretokenize.js";
export { tokenizerFromJSON, saveTokenizer, loadTokenizer } from "./serialize.js";
