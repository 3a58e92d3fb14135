/** `fx.nn`: Equinox-style modules (immutable pytrees), layers, activations and initializers. */
export { Module, type ForwardOptions } from "./module.js";
export { call, StateUpdates } from "./state.js";
export { partition, combine, filter, countParams, isTrainable, isBuffer, isTensor, type Filter } from "./partition.js";
export { type LeafInfo } from "./walk.js";
export { treeAt } from "./tree-at.js";
export { relu, leakyRelu, gelu, sigmoid, tanh, softplus, elu, silu, identity } from "./activations.js";
export * as init from "./init.js";
export { type Initializer } from "./init.js";
export { Linear, type LinearOptions } from "./layers/linear.js";
export { Conv1d, Conv2d, type ConvLayerOptions } from "./layers/conv.js";
export { MaxPool2d, AvgPool2d, type PoolLayerOptions } from "./layers/pool.js";
export { BatchNorm, LayerNorm, type BatchNormOptions, type LayerNormOptions } from "./layers/norm.js";
export { Dropout } from "./layers/dropout.js";
export { Embedding, type EmbeddingOptions } from "./layers/embedding.js";
export { Lambda, Sequential, MLP, Flatten, type MLPOptions } from "./layers/containers.js";
export { RNN, LSTM, GRU, RecurrentBase, recurrentParamNames, type RecurrentOptions, type RNNOptions, type RecurrentForwardOptions } from "./layers/recurrent.js";
