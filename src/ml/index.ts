/**
 * `fx.ml`: classic machine learning with scikit-learn's conventions:
 * `new Estimator(opts).fit(X, y)` returns the estimator; `predict`,
 * `predictProba`, `score` (accuracy or R²), `transform`/`fitTransform`;
 * fitted attributes (coef, intercept, clusterCenters, supportVectors,
 * explainedVariance, ...) are read as tensors.
 *
 *   const clf = new fx.ml.LogisticRegression().fit(Xtrain, ytrain);
 *   clf.score(Xtest, ytest);
 */
export * as kernels from "./kernels.js";
export { NotFittedError } from "./errors.js";
export { StandardScaler, type StandardScalerOptions } from "./scaler.js";
export { LinearRegression, Ridge, type LinearRegressionOptions, type RidgeOptions } from "./linear-regression.js";
export { LogisticRegression, type LogisticRegressionOptions } from "./logistic-regression.js";
export { Perceptron, type PerceptronOptions } from "./perceptron.js";
export { SVC, type SVCOptions, type SvcKernel } from "./svc.js";
export { KMeans, type KMeansOptions } from "./kmeans.js";
export { GaussianDiscriminantAnalysis, LinearDiscriminantAnalysis, QuadraticDiscriminantAnalysis, type GdaOptions } from "./gda.js";
export { GaussianNB, type GaussianNBOptions } from "./naive-bayes.js";
export { KNeighborsClassifier, type KNeighborsOptions } from "./knn.js";
export { PCA, type PCAOptions } from "./pca.js";
export { TSNE, type TSNEOptions } from "./tsne/tsne.js";
export { oneNnAgreement2d as oneNnAgreement } from "./tsne/agreement.js";
export { type KeyLike } from "./internal/keyed.js";
