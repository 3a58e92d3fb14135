/** `fx.io`: reading and writing tensors in safetensors and NumPy `.npy` files. */
export { saveSafetensors, loadSafetensors, encodeSafetensors, decodeSafetensors, type SafetensorsContents } from "./safetensors.js";
export { loadInto } from "./load-into.js";
export { saveNpy, loadNpy, encodeNpy, decodeNpy } from "./npy.js";
export { writeFileAtomic } from "./atomic-write.js";
export { MAX_HEADER_BYTES } from "./safetensors-header.js";
export { decodePng, loadPng, pngToGray, type DecodedPng } from "./png.js";
