import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";
import { blobs, f64, gaussian, ints, maxDiff, rng, vals } from "./ml-data.js";

const { ml } = fx;

describe("KMeans", () => {
  const centres = [[0, 0], [10, 0], [0, 10]];
  const d = blobs(21, centres, 60, 0.5);

  it("recovers well-separated clusters (labels equal up to renaming; centres near the true ones)", () => {
    const km = new ml.KMeans({ nClusters: 3, key: fx.random.key(1) }).fit(d.x);
    const labels = vals(km.labels);
    // Each true cluster maps to exactly one found cluster, and vice versa.
    const mapping = new Map<number, number>();
    d.ys.forEach((t, i) => {
      if (!mapping.has(t)) mapping.set(t, labels[i]!);
      expect(labels[i]).toBe(mapping.get(t));
    });
    expect(new Set(mapping.values()).size).toBe(3);
    const found = vals(km.clusterCenters);
    for (const c of centres) {
      const nearest = Math.min(...[0, 1, 2].map((k) => Math.hypot(found[2 * k]! - c[0]!, found[2 * k + 1]! - c[1]!)));
      expect(nearest).toBeLessThan(0.2);
    }
    // Inertia is the sum of squared distances to the assigned centres.
    const dist = vals(km.transform(d.x));
    expect(km.inertia).toBeCloseTo(labels.reduce((s, k, i) => s + dist[i * 3 + k]! ** 2, 0), 8);
    expect(km.score(d.x)).toBeCloseTo(-km.inertia, 8);
    expect(vals(km.predict(d.x))).toEqual(labels);
  });

  it("the same key gives the same result; more restarts never give a worse inertia", () => {
    const hard = blobs(22, [[0, 0], [3, 0], [0, 3], [3, 3], [1.5, 1.5]], 30, 0.9);
    const a = new ml.KMeans({ nClusters: 5, nInit: 1, key: 7 }).fit(hard.x);
    const b = new ml.KMeans({ nClusters: 5, nInit: 1, key: 7 }).fit(hard.x);
    expect(vals(a.clusterCenters)).toEqual(vals(b.clusterCenters));
    const many = new ml.KMeans({ nClusters: 5, nInit: 10, key: 7 }).fit(hard.x);
    expect(many.inertia).toBeLessThanOrEqual(a.inertia + 1e-9);
  });

  it("Lloyd's iterations never increase the inertia", () => {
    const hard = blobs(23, [[0, 0], [2, 0], [1, 2]], 40, 1);
    let last = Infinity;
    for (const maxIter of [1, 2, 3, 5, 10, 50]) {
      const km = new ml.KMeans({ nClusters: 3, nInit: 1, maxIter, key: 2 }).fit(hard.x);
      expect(km.inertia).toBeLessThanOrEqual(last + 1e-9);
      last = km.inertia;
    }
  });

  it("rejects k larger than the data", () => {
    expect(() => new ml.KMeans({ nClusters: 5 }).fit(f64([1, 2, 3, 4], [2, 2]))).toThrow(/2 samples/);
  });
});

describe("Gaussian discriminant analysis", () => {
  it("QDA recovers the known quadratic boundary between N(0, I) and N(0, 4I)", () => {
    // Equal priors: log N(x; 0, I) = log N(x; 0, 4I) on the circle r² = (8/3) ln 4.
    const r = rng(31);
    const n = 4000;
    const xs: number[] = [], ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const s = i % 2 ? 2 : 1;
      xs.push(s * gaussian(r), s * gaussian(r));
      ys.push(i % 2);
    }
    const qda = new ml.GaussianDiscriminantAnalysis({ covariance: "perClass" }).fit(f64(xs, [n, 2]), ints(ys));
    const rStar = Math.sqrt((8 / 3) * Math.log(4));
    const probe: number[] = [];
    for (let a = 0; a < 16; a++) {
      const t = (2 * Math.PI * a) / 16;
      for (const scale of [0.85, 1.15]) probe.push(scale * rStar * Math.cos(t), scale * rStar * Math.sin(t));
    }
    expect(vals(qda.predict(f64(probe, [32, 2])))).toEqual(new Array(16).fill([0, 1]).flat());
    const cov = vals(qda.covariance);
    expect(qda.covariance.shape).toEqual([2, 2, 2]);
    expect(maxDiff(cov, [1, 0, 0, 1, 4, 0, 0, 4])).toBeLessThan(0.3);
  });

  it("LDA: the maximum-likelihood estimates, and log-odds linear with w = Σ⁻¹(μ₁ − μ₀)", () => {
    const d = blobs(32, [[0, 0], [2, 1]], 200, 1);
    const lda = new ml.LinearDiscriminantAnalysis({ regParam: 0 }).fit(d.x, d.y);
    const means = vals(lda.means);
    const mu = [0, 1].map((k) => [0, 1].map((j) => d.xs.filter((_, i) => d.ys[i] === k).reduce((s, row) => s + row[j]!, 0) / 200));
    expect(maxDiff(means, mu.flat())).toBeLessThan(1e-12);
    // Shared covariance: the pooled within-class scatter / n.
    const S = [0, 0, 0, 0];
    d.xs.forEach((row, i) => {
      const m = mu[d.ys[i]!]!;
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) S[2 * a + b]! += ((row[a]! - m[a]!) * (row[b]! - m[b]!)) / 400;
    });
    expect(maxDiff(lda.covariance, S)).toBeLessThan(1e-12);
    const w = fx.linalg.solve(f64(S, [2, 2]), f64([mu[1]![0]! - mu[0]![0]!, mu[1]![1]! - mu[0]![1]!], [2]));
    const coef = vals(lda.coef);
    expect(maxDiff([coef[2]! - coef[0]!, coef[3]! - coef[1]!], w)).toBeLessThan(1e-9);
    // p(y = 1 | x) = σ(θᵀx + θ₀): the log-odds of predictProba are affine in x.
    const p = vals(lda.predictProba(d.x));
    const logOdds = d.xs.map((_, i) => Math.log(p[2 * i + 1]! / p[2 * i]!));
    const fit = new ml.LinearRegression().fit(d.x, f64(logOdds, [400]));
    expect(fit.score(d.x, f64(logOdds, [400]))).toBeCloseTo(1, 10);
    expect(lda.score(d.x, d.y)).toBeGreaterThan(0.8);
  });

  it("logJoint is log φₖ + log N(x; μₖ, Σₖ)", () => {
    const d = blobs(33, [[0, 0, 0], [1, 2, 3]], 30, 1);
    const qda = new ml.QuadraticDiscriminantAnalysis({ regParam: 0 }).fit(d.x, d.y);
    const x0 = f64([0.3, -0.2, 1], [1, 3]);
    const lj = vals(qda.logJoint(x0));
    const covs = qda.covariance, means = qda.means;
    for (let k = 0; k < 2; k++) {
      const S = fx.slice(covs, k), mu = fx.slice(means, k);
      const diff = fx.sub(fx.reshape(x0, [3]), mu);
      const quad = fx.dot(diff, fx.linalg.solve(S, diff)).item() as number;
      const expected = Math.log(0.5) - 0.5 * quad - 0.5 * Math.log(fx.linalg.det(S).item() as number) - 1.5 * Math.log(2 * Math.PI);
      expect(lj[k]).toBeCloseTo(expected, 9);
    }
    // LDA's logJoint is exact too (not only up to a constant).
    const lda = new ml.LinearDiscriminantAnalysis({ regParam: 0 }).fit(d.x, d.y);
    const S = lda.covariance;
    const diff = fx.sub(fx.reshape(x0, [3]), fx.slice(lda.means, 1));
    const expected = Math.log(0.5) - 0.5 * (fx.dot(diff, fx.linalg.solve(S, diff)).item() as number) - 0.5 * Math.log(fx.linalg.det(S).item() as number) - 1.5 * Math.log(2 * Math.PI);
    expect(vals(lda.logJoint(x0))[1]).toBeCloseTo(expected, 9);
  });

  it("keeps singular covariances invertible with regParam", () => {
    const x = f64([0, 1, 0, 2, 0, 3, 1, 5, 1, 6, 1, 7], [6, 2]); // first feature constant within each class
    const qda = new ml.QuadraticDiscriminantAnalysis().fit(x, ints([0, 0, 0, 1, 1, 1]));
    expect(vals(qda.predict(x))).toEqual([0, 0, 0, 1, 1, 1]);
  });
});

describe("GaussianNB", () => {
  it("stores per-class means and variances and predicts by Bayes' rule", () => {
    const d = blobs(41, [[0, 0], [4, 4]], 50, [1][0]!);
    const nb = new ml.GaussianNB({ varSmoothing: 0 }).fit(d.x, d.y);
    const cls0 = d.xs.filter((_, i) => d.ys[i] === 0);
    const mean = [0, 1].map((j) => cls0.reduce((s, r) => s + r[j]!, 0) / 50);
    const variance = [0, 1].map((j) => cls0.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / 50);
    expect(maxDiff(vals(nb.theta).slice(0, 2), mean)).toBeLessThan(1e-12);
    expect(maxDiff(vals(nb.variance).slice(0, 2), variance)).toBeLessThan(1e-12);
    const x0 = [1, -0.5];
    const expected = Math.log(0.5) + x0.reduce((s, v, j) => s - 0.5 * Math.log(2 * Math.PI * variance[j]!) - (v - mean[j]!) ** 2 / (2 * variance[j]!), 0);
    expect(vals(nb.logJoint(f64(x0, [1, 2])))[0]).toBeCloseTo(expected, 10);
    expect(nb.score(d.x, d.y)).toBeGreaterThan(0.97);
    expect(maxDiff(fx.sum(nb.predictProba(d.x), 1), new Array(100).fill(1))).toBeLessThan(1e-12);
  });
});

describe("KNeighborsClassifier", () => {
  it("k = 1 reproduces the training labels; neighbours and distances match brute force", () => {
    const d = blobs(51, [[0, 0], [1, 1], [2, 0]], 20, 0.6);
    const knn = new ml.KNeighborsClassifier({ nNeighbors: 1, batchSize: 7 }).fit(d.x, d.y);
    expect(knn.score(d.x, d.y)).toBe(1);
    const q = f64([0.2, 0.1, 1.9, 0.4], [2, 2]);
    const [dist, idx] = new ml.KNeighborsClassifier({ nNeighbors: 4, batchSize: 1 }).fit(d.x, d.y).kneighbors(q);
    const qs = [[0.2, 0.1], [1.9, 0.4]];
    qs.forEach((p, r) => {
      const all = d.xs.map((row, i) => [Math.hypot(row[0]! - p[0]!, row[1]! - p[1]!), i] as const).sort((a, b) => a[0] - b[0]).slice(0, 4);
      expect(vals(idx).slice(4 * r, 4 * r + 4)).toEqual(all.map((a) => a[1]));
      expect(maxDiff(vals(dist).slice(4 * r, 4 * r + 4), all.map((a) => a[0]))).toBeLessThan(1e-9);
    });
  });

  it("votes by majority, or by inverse distance", () => {
    const x = f64([0, 0.1, 0.2, 5, 5.1], [5, 1]);
    const y = ints([0, 0, 0, 1, 1]);
    expect(vals(new ml.KNeighborsClassifier({ nNeighbors: 5 }).fit(x, y).predict(f64([4.9], [1, 1])))).toEqual([0]);
    expect(vals(new ml.KNeighborsClassifier({ nNeighbors: 5, weights: "distance" }).fit(x, y).predict(f64([4.9], [1, 1])))).toEqual([1]);
    expect(vals(new ml.KNeighborsClassifier({ nNeighbors: 3 }).fit(x, y).predictProba(f64([4.9], [1, 1])))).toEqual([1 / 3, 2 / 3]);
  });
});

describe("PCA", () => {
  const r = rng(61);
  const n = 300;
  // Variances 9, 1, 0.01 along a rotated basis.
  const c = Math.cos(0.5), s = Math.sin(0.5);
  const X: number[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b, e] = [3 * gaussian(r), gaussian(r), 0.1 * gaussian(r)];
    X.push(c * a - s * b + 1, s * a + c * b - 2, e + 5);
  }
  const x = f64(X, [n, 3]);

  it("explained variances are the eigenvalues of the sample covariance, components its eigenvectors", () => {
    const pca = new ml.PCA().fit(x);
    const xc = fx.sub(x, fx.mean(x, 0));
    const cov = fx.div(fx.matmul(xc.T, xc), n - 1);
    const [w, v] = fx.linalg.eigh(cov);
    expect(maxDiff(pca.explainedVariance, vals(w).reverse())).toBeLessThan(1e-10);
    const comps = vals(pca.components), V = vals(v);
    for (let k = 0; k < 3; k++) {
      const dot = [0, 1, 2].reduce((acc, j) => acc + comps[k * 3 + j]! * V[j * 3 + (2 - k)]!, 0);
      expect(Math.abs(dot)).toBeCloseTo(1, 9);
    }
    expect(vals(pca.explainedVarianceRatio).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(vals(pca.explainedVarianceRatio)[0]).toBeGreaterThan(0.85);
  });

  it("transform/inverseTransform round-trip with all components; whitening gives unit variance", () => {
    const pca = new ml.PCA().fit(x);
    expect(maxDiff(pca.inverseTransform(pca.transform(x)), x)).toBeLessThan(1e-10);
    const white = new ml.PCA({ nComponents: 2, whiten: true }).fitTransform(x);
    expect(maxDiff(fx.std(white, 0, false, 1), [1, 1])).toBeLessThan(1e-10);
    expect(maxDiff(fx.mean(white, 0), [0, 0])).toBeLessThan(1e-10);
  });

  it("the randomized solver agrees with the full SVD on the leading components", () => {
    const r2 = rng(62);
    const rows = 200, cols = 60;
    const data: number[] = [];
    for (let i = 0; i < rows; i++) {
      const f = [5 * gaussian(r2), 3 * gaussian(r2), 2 * gaussian(r2)];
      for (let j = 0; j < cols; j++) data.push(f[0]! * Math.sin(j) + f[1]! * Math.cos(j * 0.3) + f[2]! * ((j % 5) - 2) / 2 + 0.05 * gaussian(r2));
    }
    const xx = f64(data, [rows, cols]);
    const full = new ml.PCA({ nComponents: 3, svdSolver: "full" }).fit(xx);
    const rand = new ml.PCA({ nComponents: 3, svdSolver: "randomized", key: 4 }).fit(xx);
    expect(rand.solverUsed).toBe("randomized");
    expect(maxDiff(rand.explainedVariance, full.explainedVariance)).toBeLessThan(1e-6 * (vals(full.explainedVariance)[0] ?? 1));
    expect(maxDiff(rand.components, full.components)).toBeLessThan(1e-5);
  });

  it("rejects too many components", () => {
    expect(() => new ml.PCA({ nComponents: 4 }).fit(x)).toThrow(/min\(nSamples, nFeatures\)/);
  });
});
