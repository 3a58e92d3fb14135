"""B5 of BENCHMARKS.md in PyTorch, beside bench/b5-transformer.ts: one
transformer block training step (batch 32, sequence 128, width 256, 4 heads,
causal mask, pre-LayerNorm, MLP 256 -> 1024 -> 256 with exact GELU), mean
squared error to a fixed random target, forward + backward + Adam (lr 1e-3).
Steps/s (median of the timed steps after one warm-up) on 1 and 2 threads.

    /usr/bin/python3 bench/torch_b5.py [--steps 5] [--json]
"""
import argparse
import json
import math
import statistics
import time

import torch


class Block(torch.nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.heads = heads
        self.ln1 = torch.nn.LayerNorm(width)
        self.qkv = torch.nn.Linear(width, 3 * width)
        self.out = torch.nn.Linear(width, width)
        self.ln2 = torch.nn.LayerNorm(width)
        self.fc1 = torch.nn.Linear(width, hidden)
        self.fc2 = torch.nn.Linear(hidden, width)

    def attention(self, x):
        b, t, w = x.shape
        d = w // self.heads
        q, k, v = self.qkv(x).split(w, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d).transpose(1, 2) for z in (q, k, v))
        scores = (q / math.sqrt(d)) @ k.transpose(-1, -2)
        causal = torch.ones(t, t, dtype=torch.bool).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        y = scores.softmax(-1) @ v
        return self.out(y.transpose(1, 2).reshape(b, t, w))

    def forward(self, x):
        x = x + self.attention(self.ln1(x))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x))))


def run(threads, steps, batch, seq, width, heads, hidden):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    block = Block(width, heads, hidden)
    x = torch.randn(batch, seq, width)
    y = torch.randn(batch, seq, width)
    opt = torch.optim.Adam(block.parameters(), lr=1e-3)
    times, cpu = [], []
    for i in range(steps + 1):
        t0, c0 = time.perf_counter(), time.process_time()
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(block(x), y)
        loss.backward()
        opt.step()
        if i > 0:
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return {
        "name": f"PyTorch {torch.__version__} ({threads} thread{'s' if threads > 1 else ''})",
        "stepsPerSecond": 1 / statistics.median(times),
        "stepsPerCpuSecond": 1 / statistics.median(cpu),
        "seconds": times,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    shape = dict(batch=32, seq=128, width=256, heads=4, hidden=1024)
    results = [run(t, a.steps, **shape) for t in (1, 2)]
    if a.json:
        print(json.dumps({"shape": shape, "results": results}, indent=2))
    else:
        for r in results:
            print(f"{r['name']}: {r['stepsPerSecond']:.3g} steps/s, {r['stepsPerCpuSecond']:.3g} steps per CPU-second")


if __name__ == "__main__":
    main()
