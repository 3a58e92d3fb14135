"""PyTorch / NumPy (OpenBLAS) figures for B1 and B4a, run beside `npm run bench`.

    /usr/bin/python3 bench/torch_bench.py [--quick]

Needs Debian's python3-torch, python3-numpy and libopenblas0-pthread. Writes
bench/torch-results.json, which bench/run.ts folds into its table.
"""
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import torch

QUICK = "--quick" in sys.argv
BUDGET = 0.8 if QUICK else 3.0


def measure(fn, work, warmup=1, min_runs=3, max_runs=50):
    for _ in range(warmup):
        fn()
    values, per_cpu = [], []
    start = time.perf_counter()
    while len(values) < max_runs and (len(values) < min_runs or time.perf_counter() - start < BUDGET):
        c = time.process_time()  # CPU time of all this process's threads
        t = time.perf_counter()
        fn()
        values.append(work / (time.perf_counter() - t))
        per_cpu.append(work / max(time.process_time() - c, 1e-9))
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "values": values,
            "perCpuSecond": statistics.median(per_cpu)}


def b1(rows):
    for n in (256, 1024, 2048):
        flops = 2 * n ** 3 / 1e9
        a = np.random.rand(n, n).astype(np.float32) - 0.5
        b = np.random.rand(n, n).astype(np.float32) - 0.5
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        for threads in (1, 2):
            torch.set_num_threads(threads)
            rows.append({"workload": f"B1 matmul {n}", "impl": f"torch-{threads}t", "unit": "GFLOP/s",
                         "sample": measure(lambda: torch.mm(ta, tb), flops, warmup=2)})
            log(rows[-1])
        rows.append({"workload": f"B1 matmul {n}", "impl": "numpy-openblas", "unit": "GFLOP/s",
                     "sample": measure(lambda: a @ b, flops, warmup=2)})
        log(rows[-1])


def log(row):
    s = row["sample"]
    print(f'{row["workload"]:16} {row["impl"]:16} {s["median"]:.1f} [{s["min"]:.1f}-{s["max"]:.1f}] {row["unit"]}, '
          f'{s["perCpuSecond"]:.1f} per CPU-s', file=sys.stderr)


def b4a(rows):
    ops = 10_000
    x0 = (1 + (np.random.rand(100) - 0.5) * 1e-3).astype(np.float32)
    torch.set_num_threads(1)
    tx = torch.from_numpy(x0)

    def torch_loop():
        y = tx
        for i in range(ops):
            y = y * tx if i % 2 else y + tx

    def numpy_loop():
        y = x0
        for i in range(ops):
            y = y * x0 if i % 2 else y + x0

    for name, fn in (("torch", torch_loop), ("numpy", numpy_loop)):
        rows.append({"workload": "B4a tiny ops", "impl": name, "unit": "ops/s", "sample": measure(fn, ops, warmup=2, min_runs=5)})
        log(rows[-1])


def main():
    rows = []
    b1(rows)
    b4a(rows)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch-results.json")
    info = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "python": platform.python_version(),
            "torch": torch.__version__, "numpy": np.__version__, "loadavg": os.getloadavg()}
    with open(out, "w") as f:
        json.dump({"machine": info, "rows": rows}, f, indent=2)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
