/** `fx.losses`: loss functions `(pred, target, { reduction })`, finite for finite inputs. */
export { type Reduction, type LossOptions } from "./reduction.js";
export { mse, mae, huber, type HuberOptions } from "./regression.js";
export { binaryCrossEntropy, sigmoidBinaryCrossEntropy } from "./binary.js";
export { softmaxCrossEntropy, softmaxCrossEntropyWithIntegerLabels, nll, type CategoricalOptions } from "./categorical.js";
export { klDivergence } from "./divergence.js";
export { hinge } from "./margin.js";
