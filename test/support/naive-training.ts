/**
 * The naive eager training loop a user writes first — no dispose, no scopes,
 * a new model, gradients and optimizer state every step — run synchronously
 * in its own process (started with --expose-gc), printing the live memory
 * sampled along the way as JSON. Used by test/memory.test.ts.
 *
 *   [FLUXION_BACKEND=wasm] node --expose-gc --import tsx test/support/naive-training.ts STEPS WARMUP EVERY [retain-loss]
 *
 * "retain-loss" keeps every step's loss tensor alive: a deliberate leak of one
 * scalar tensor per step, to show the measurement can see one.
 */
import * as fx from "../../src/index.js";
import { liveBytes } from "./memory.js";

const { nn, optim, losses } = fx;
if (process.env.FLUXION_BACKEND) fx.setBackend(process.env.FLUXION_BACKEND); // as test/ runs the suite on another backend
const [steps, warmup, every] = process.argv.slice(2, 5).map(Number) as [number, number, number];
const retainLoss = process.argv[5] === "retain-loss";

const [kx, ky, km] = fx.random.split(fx.random.key(0), 3);
const x = fx.random.normal(kx!, [16, 64]);
const y = fx.random.randint(ky!, [16], 0, 10);
let model = new nn.MLP({ inSize: 64, outSize: 10, widths: [32], key: km! });
const opt = optim.adam(1e-2);
let state = opt.init(model);
const lossOf = (m: typeof model) => losses.softmaxCrossEntropyWithIntegerLabels(m.forward(x), y);

const retained: fx.Tensor[] = [];
const out = { backend: fx.getBackend().name, step: [] as number[], bytes: [] as number[], firstLoss: NaN, lastLoss: NaN };
for (let i = 1; i <= steps; i++) {
  const [loss, grads] = fx.valueAndGrad(lossOf)(model);
  const [updates, next] = opt.update(grads, state, model);
  model = optim.applyUpdates(model, updates);
  state = next;
  if (retainLoss) retained.push(loss);
  if (i === 1) out.firstLoss = loss.item();
  if (i === steps) out.lastLoss = loss.item();
  if (i >= warmup && i % every === 0) {
    out.step.push(i);
    out.bytes.push(liveBytes());
  }
}
console.log(JSON.stringify(out));
