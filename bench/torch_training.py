#!/usr/bin/python3
"""PyTorch peer for the training benchmarks B2 (MLP) and B3 (CNN) of BENCHMARKS.md.

Mirrors bench/workloads/common/train-loop.ts: untimed warm-up steps, then timed
steps in equal windows (one samples/s figure per window); in full B2 mode three
epochs of floor(60000/128) steps with test accuracy after epochs 1 and 3.
Each window also yields samples per CPU-second (time.process_time, all
threads), which the machine's other load disturbs less than wall time.
Prints one JSON object (the WorkloadResult shape, with peakRssMiB from
getrusage) on the last line of stdout. Run it with Debian's /usr/bin/python3:

    /usr/bin/python3 bench/torch_training.py --workload b2 --threads 1 --steps 100
"""
import argparse
import gzip
import json
import os
import resource
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Unsigned-byte IDX: magic 0x0000080d (d dimensions), d big-endian uint32 sizes, then the bytes."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    magic = struct.unpack(">I", raw[:4])[0]
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    rank = magic & 0xFF
    dims = struct.unpack(">" + "I" * rank, raw[4 : 4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_data():
    """Fashion-MNIST as float32 in [0, 1], or random data of the same shapes when it is not installed."""
    if os.path.exists(os.path.join(FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz")):
        def split(prefix):
            images = read_idx(os.path.join(FASHION_MNIST_DIR, f"{prefix}-images-idx3-ubyte.gz"))
            labels = read_idx(os.path.join(FASHION_MNIST_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
            return torch.from_numpy(images.reshape(-1, 784).astype(np.float32) / 255), torch.from_numpy(labels.astype(np.int64))
        return "fashion-mnist", split("train"), split("t10k")
    rng = np.random.default_rng(1)
    def random_split(n):
        return torch.from_numpy(rng.random((n, 784), dtype=np.float32)), torch.from_numpy(rng.integers(0, 10, n))
    return "random", random_split(60000), random_split(10000)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2, self.l3 = nn.Linear(784, 512), nn.Linear(512, 256), nn.Linear(256, 10)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


class CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 32, 3), nn.Conv2d(32, 64, 3)
        self.d1, self.d2 = nn.Linear(9216, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = x.view(-1, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.c2(F.relu(self.c1(x)))), 2)
        return self.d2(F.relu(self.d1(x.flatten(1))))


def window_sizes(steps, windows):
    """Splits steps into min(windows, steps) nearly equal positive parts (as train-loop.ts does)."""
    w = max(1, min(windows, steps))
    return [round((i + 1) * steps / w) - round(i * steps / w) for i in range(w)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=["b2", "b3"], required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--windows", type=int, default=5)
    ap.add_argument("--full", action="store_true", help="B2: three epochs, test accuracy after 1 and 3")
    ap.add_argument("--train-examples", type=int, default=0, help="train on the first n examples only (quick full-mode checks)")
    ap.add_argument("--budget", type=float, default=0, help="seconds the timed steps may take (0 = no limit)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    source, (train_x, train_y), (test_x, test_y) = load_data()
    if args.train_examples:
        train_x, train_y = train_x[: args.train_examples], train_y[: args.train_examples]
    model = MLP() if args.workload == "b2" else CNN()
    batch = 128 if args.workload == "b2" else 64
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(1234)
    order = torch.randperm(train_x.shape[0], generator=gen)

    def step(s):
        idx = order[torch.arange(s * batch, (s + 1) * batch) % order.shape[0]]
        x, y = train_x[idx], train_y[idx]
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        opt.step()

    with open("/proc/self/statm") as f:
        rss_before_training = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    samples, cpu_samples = [], []
    def window(first, steps):
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(first, first + steps):
            step(s)
        samples.append(steps * batch / (time.perf_counter() - t0))
        cpu_samples.append(steps * batch / max(time.process_time() - c0, 1e-9))

    last_step_seconds, warmup_seconds, warmup_steps = float("inf"), 0.0, 0
    while warmup_steps < max(1, args.warmup):
        limit = args.budget / 2 if warmup_steps >= 2 else args.budget if warmup_steps == 1 else float("inf")
        if args.budget > 0 and warmup_seconds > limit:
            break
        t0 = time.perf_counter()
        step(warmup_steps)
        last_step_seconds = time.perf_counter() - t0
        warmup_seconds += last_step_seconds
        warmup_steps += 1
    def fits(steps):
        return args.budget <= 0 or steps * last_step_seconds <= args.budget

    notes = [f"data: {'Fashion-MNIST' if source == 'fashion-mnist' else 'random (Fashion-MNIST not installed)'}"]
    if args.train_examples:
        notes.append(f"trained on the first {train_x.shape[0]} training examples only")
    if warmup_steps < args.warmup:
        notes.append(f"warm-up cut to {warmup_steps} steps ({warmup_seconds:.0f} s)")
    per_epoch = train_x.shape[0] // batch
    full = args.full and args.workload == "b2"
    if full and not fits(3 * per_epoch):
        full = False
        notes.append(f"too slow for 3 full epochs in {args.budget:g} s ({last_step_seconds:.2f} s/step): timed steps only, no accuracy")
    accuracy = None
    if not full:
        steps = per_epoch if args.full else args.steps
        if not fits(steps):
            affordable = max(2, int(args.budget // last_step_seconds))
            notes.append(f"reduced from {steps} to {affordable} timed steps to fit {args.budget:g} s ({last_step_seconds:.2f} s/step)")
            steps = affordable
        sizes = window_sizes(steps, args.windows)
        done = 0
        for size in sizes:
            window(warmup_steps + done, size)
            done += size
        notes.append(f"{warmup_steps} warm-up + {steps} timed steps of {batch} in {len(sizes)} windows")
    else:
        accuracy = []
        for epoch in range(1, 4):
            order = torch.randperm(train_x.shape[0], generator=gen)
            done = 0
            for size in window_sizes(per_epoch, 4):
                window(done, size)
                done += size
            if epoch in (1, 3):
                with torch.no_grad():
                    acc = (model(test_x).argmax(1) == test_y).float().mean().item()
                accuracy.append({"epoch": epoch, "value": acc})
        notes.append(f"{warmup_steps} warm-up steps, then 3 epochs of {per_epoch} steps of {batch}, 4 windows each")
    notes.append(f"torch {torch.__version__}, {args.threads} thread(s)")

    name = "B2 MLP training" if args.workload == "b2" else "B3 CNN training"
    result = {
        "name": name,
        "peer": f"pytorch-{args.threads}t",
        "figure": statistics.median(samples),
        "unit": "samples/s",
        "samples": samples,
        "cpuFigure": statistics.median(cpu_samples),
        "cpuSamples": cpu_samples,
        "notes": notes,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rssBeforeTrainingMiB": rss_before_training,
    }
    if accuracy is not None:
        result["accuracy"] = accuracy
    print(json.dumps(result))


if __name__ == "__main__":
    main()
