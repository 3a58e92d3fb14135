/**
 * B5's starting point shared by every implementation: Fluxion's transformer
 * block (key 0), its input and target, and the same numbers as plain
 * Float32Arrays in the layout the peers use (weights [in, out], so a dense
 * layer is x·W + b), so every peer starts from identical weights.
 */
import * as fx from "../../src/index.js";

export interface B5Shape { batch: number; seq: number; width: number; heads: number; hidden: number }
/** The starting point every implementation shares: the same weights, input and target. */
export interface B5Problem { block: fx.nn.TransformerBlock; x: fx.Tensor; y: fx.Tensor }
export interface HostArray { data: Float32Array; shape: number[] }
/** Parameter names of the peers' blocks: LayerNorms, packed q/k/v projection, output projection, MLP. */
export type B5ParamName = "ln1g" | "ln1b" | "wqkv" | "bqkv" | "wo" | "bo" | "ln2g" | "ln2b" | "w1" | "b1" | "w2" | "b2";
export interface B5Start { params: Record<B5ParamName, HostArray>; x: HostArray; y: HostArray }

export function b5Problem(s: B5Shape): B5Problem {
  const [kb, kx, ky] = fx.random.split(fx.random.key(0), 3);
  return {
    block: new fx.nn.TransformerBlock(s.width, s.heads, { key: kb!, causal: true, mlpHidden: s.hidden }),
    x: fx.random.normal(kx!, [s.batch, s.seq, s.width]),
    y: fx.random.normal(ky!, [s.batch, s.seq, s.width]),
  };
}

/** The problem's numbers on the host; Fluxion's (PyTorch's) [out, in] weights transposed to [in, out]. */
export function b5Start(p: B5Problem): B5Start {
  const host = (a: fx.Tensor): HostArray => ({ data: Float32Array.from(a.data() as Float32Array), shape: [...a.shape] });
  const inOut = (a: fx.Tensor) => host(fx.transpose(a));
  const b = p.block;
  return {
    params: {
      ln1g: host(b.ln1.weight!), ln1b: host(b.ln1.bias!),
      wqkv: inOut(b.attn.in_proj_weight!), bqkv: host(b.attn.in_proj_bias!),
      wo: inOut(b.attn.out_proj.weight), bo: host(b.attn.out_proj.bias!),
      ln2g: host(b.ln2.weight!), ln2b: host(b.ln2.bias!),
      w1: inOut(b.fc1.weight), b1: host(b.fc1.bias!),
      w2: inOut(b.fc2.weight), b2: host(b.fc2.bias!),
    },
    x: host(p.x),
    y: host(p.y),
  };
}
