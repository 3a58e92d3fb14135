import { describe, expect, it } from "vitest";
import * as fx from "../src/index.js";

const { nn, optim, losses } = fx;

describe("nn + optim + losses together", () => {
  it("a jitted training step with BatchNorm and Dropout learns two interleaved classes", () => {
    let key = fx.random.key(0);
    const [kData, kNoise, kModel] = fx.random.split(key, 3);
    // Points on two noisy rings: class = which ring (not linearly separable).
    const n = 128;
    const angle = fx.random.uniform(kData!, [n], { maxval: 2 * Math.PI });
    const labels = fx.arange(0, n, 1, "int32").mod(2);
    const radius = labels.astype("float32").mul(1.5).add(1).add(fx.random.normal(kNoise!, [n]).mul(0.1));
    const x = fx.stack([radius.mul(angle.cos()), radius.mul(angle.sin())], 1);

    const [k1, k2] = fx.random.split(kModel!);
    let model = new nn.Sequential([
      new nn.Linear(2, 32, { key: k1! }), new nn.BatchNorm(32), nn.relu, new nn.Dropout(0.1),
      new nn.Linear(32, 2, { key: k2! }),
    ]);
    const opt = optim.chain(optim.clipByGlobalNorm(5), optim.adamw(optim.schedules.warmupCosineDecay({ init: 0, peak: 0.05, warmupSteps: 10, decaySteps: 100 })));
    let [params, buffers] = nn.partition(model, nn.isTrainable);
    let state = opt.init(params);

    const lossFn = (p: typeof params, b: typeof buffers, k: fx.Tensor) => {
      const [logits, next] = nn.call(nn.combine(p, b), x, { training: true, key: k });
      return [losses.softmaxCrossEntropyWithIntegerLabels(logits, labels), nn.partition(next, nn.isTrainable)[1]];
    };
    const step = fx.jit((p: typeof params, b: typeof buffers, s: unknown[], k: fx.Tensor) => {
      const [[loss, newBuffers], grads] = fx.valueAndGrad(lossFn, { hasAux: true })(p, b, k);
      const [updates, s2] = opt.update(grads, s, p);
      return [optim.applyUpdates(p, updates), newBuffers, s2, loss];
    });

    const history: number[] = [];
    for (let i = 0; i < 100; i++) {
      let sub: fx.Tensor;
      [key, sub] = fx.random.split(key);
      let loss: fx.Tensor;
      [params, buffers, state, loss] = step(params, buffers, state, sub) as [typeof params, typeof buffers, unknown[], fx.Tensor];
      history.push(loss.item());
    }
    expect(step.cacheSize).toBe(1);
    expect(history[history.length - 1]!).toBeLessThan(0.2 * history[0]!);
    model = nn.combine(params, buffers);
    const accuracy = fx.mean(fx.equal(fx.argmax(model.forward(x), 1), labels)).item();
    expect(accuracy).toBeGreaterThan(0.95);
  });
});
