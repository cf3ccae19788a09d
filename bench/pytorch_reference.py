#!/usr/bin/env python3
"""PyTorch training throughput for the zoo's models, as the reference for bench/throughput.ts.

Same architectures as src/models/zoo.ts (logits out, softmax cross-entropy, Adam lr 1e-3),
same batch size, 28x28x1 inputs gathered by index from a device-resident training set
(as our engine does). Prints a table and writes bench/results/pytorch-reference.<device>.json
in the format of the other results, so `node scripts/bench.mjs --report` puts it into
BENCHMARKS.md.

    python3 bench/pytorch_reference.py                       # cuda if available, else cpu
    python3 bench/pytorch_reference.py --device cuda --models mlp,cnn-tiny --batch 64 --steps 300
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def build(name: str, classes: int = 10) -> nn.Module:
    if name == "mlp":  # flatten -> dense 128 relu -> logits
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, classes))

    def cnn(f1, f2, hidden, double):
        layers = [nn.Conv2d(1, f1, 3, padding=1), nn.ReLU()]
        if double:
            layers += [nn.Conv2d(f1, f1, 3, padding=1), nn.ReLU()]
        layers += [nn.MaxPool2d(2), nn.Conv2d(f1, f2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                   nn.Linear(f2 * 7 * 7, hidden), nn.ReLU(), nn.Linear(hidden, classes)]
        return nn.Sequential(*layers)

    if name == "cnn-tiny":  # conv 8 -> pool -> conv 16 -> pool -> dense 64 -> logits
        return cnn(8, 16, 64, False)
    if name == "cnn-small":  # conv 16 -> conv 16 -> pool -> conv 32 -> pool -> dense 128 -> logits
        return cnn(16, 32, 128, True)
    raise SystemExit(f"unknown model {name}")


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def measure(name, device, batch, steps, warmup, n_train=10000):
    torch.manual_seed(1)
    model = build(name).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x_all = torch.rand(n_train, 1, 28, 28, device=device)
    y_all = torch.randint(0, 10, (n_train,), device=device)
    gen = torch.Generator(device="cpu").manual_seed(1)

    def step():
        idx = torch.randint(0, n_train, (batch,), generator=gen).to(device, non_blocking=True)
        x, y = x_all[idx], y_all[idx]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    sync(device)
    t0 = time.perf_counter()
    for _ in range(steps):
        loss = step()
    loss.item()  # one read back at the end, like a throttled UI
    sync(device)
    dt = time.perf_counter() - t0
    # Scoring forward pass (no grad) over a presample of 3b, per sample, next to the step.
    with torch.no_grad():
        xb = x_all[: 3 * batch]
        for _ in range(warmup):
            model(xb)
        sync(device)
        t1 = time.perf_counter()
        for _ in range(steps):
            z = model(xb)
            (torch.softmax(z, 1) - F.one_hot(y_all[: 3 * batch], 10)).norm(dim=1)
        sync(device)
        df = time.perf_counter() - t1
    return {"model": name, "batch": batch, "steps": steps, "msPerStep": 1000 * dt / steps,
            "samplesPerSecond": steps * batch / dt,
            "scoreOverTrainPerSample": (df / (3 * batch)) / (dt / batch)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--models", default="mlp,cnn-tiny,cnn-small")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    device = torch.device(a.device)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    rows = [measure(m, device, a.batch, a.steps, a.warmup) for m in a.models.split(",")]
    label = f"PyTorch {torch.__version__} {device.type}" + (f" ({gpu})" if gpu else "")
    table = {
        "title": f"PyTorch reference throughput [{label}]",
        "note": f"Adam, batch {a.batch}, {a.steps} timed steps after {a.warmup} warm-up; data gathered by index on the device",
        "columns": ["model", "ms/step", "samples/s", "score fwd / train per sample"],
        "rows": [[r["model"], round(r["msPerStep"], 3), round(r["samplesPerSecond"]), round(r["scoreOverTrainPerSample"], 3)]
                 for r in rows],
    }
    try:
        smi = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        smi = None
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    result = {
        "name": "pytorch-reference", "title": "PyTorch reference throughput", "quick": False, "scale": 1,
        "backend": {"name": f"pytorch-{device.type}", "adapter": gpu or platform.processor() or "cpu",
                    "emulated": False, "label": label},
        "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "memoryGiB": None,
                    "os": platform.platform(), "node": f"python {platform.python_version()}", "tfjs": None, "gpu": smi,
                    "loadAvgStart": list(os.getloadavg()), "loadAvgEnd": list(os.getloadavg())},
        "settings": vars(a), "startedAt": now, "finishedAt": now, "wallSeconds": 0,
        "tables": [table], "figures": rows, "notes": [],
    }
    print(table["title"])
    print(" | ".join(table["columns"]))
    for r in table["rows"]:
        print(" | ".join(str(c) for c in r))
    out = a.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "results",
                                f"pytorch-reference.{device.type}.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
