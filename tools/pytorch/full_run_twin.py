"""The book's chapter 5 run (train_model_simple, 10 epochs) on the twin: the peer of `llmfs pretrain` as
the README types it, for `npm run bench:pytorch -- --full-run`.

    /usr/bin/python3 tools/pytorch/full_run_twin.py --train train.bin --val val.bin [--epochs 10]

train.bin / val.bin: uint16 token files (`llmfs tokenize --out`) of the text's first 90% and last 10% of
characters, as the book splits it. The book's settings: GPT_CONFIG_124M at context 256, seed 123,
GPTDatasetV1 windows of 256 with stride 256 (train shuffled, drop_last; val in order), batch 2, AdamW
lr 4e-4 weight decay 0.1, evaluation every 5 steps on 5 batches, a greedy 50-token sample of "Every effort
moves you" after each epoch (ids only: decoding costs nothing next to the forward passes).
Prints one JSON object: wall seconds, peak RSS, final train/val losses, steps.
"""
import argparse
import json
import os
import resource
import sys
import time

# GNU OpenMP's idle threads spin by default and then fight OpenBLAS's own threads for the cores: on the
# 2-core machine a chapter 5 step took 25.4 s spinning and 16.0 s passive (same load). Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from llmfs_twin import GPTModel, calc_loss_batch, generate_text_simple, gpt2_config  # noqa: E402

PROMPT = [6109, 3626, 6100, 345]  # "Every effort moves you"


def windows(path, length, stride):
    ids = torch.from_numpy(np.fromfile(path, dtype="<u2").astype(np.int64))
    starts = range(0, len(ids) - length, stride)  # GPTDatasetV1's range
    return [(ids[i : i + length], ids[i + 1 : i + length + 1]) for i in starts]


def batches(data, batch_size, shuffle, drop_last, gen):
    order = torch.randperm(len(data), generator=gen).tolist() if shuffle else list(range(len(data)))
    for i in range(0, len(order), batch_size):
        part = order[i : i + batch_size]
        if drop_last and len(part) < batch_size:
            break
        yield torch.stack([data[j][0] for j in part]), torch.stack([data[j][1] for j in part])


def calc_loss_loader(loader, model, num_batches):
    total, n = 0.0, 0
    for i, (x, y) in enumerate(loader):
        if i >= num_batches:
            break
        total += calc_loss_batch(x, y, model).item()
        n += 1
    return total / n if n else float("nan")


def main(argv):
    p = argparse.ArgumentParser(prog="full_run_twin.py", description=__doc__.split("\n")[0])
    p.add_argument("--train", required=True)
    p.add_argument("--val", required=True)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--context-length", type=int, default=256)
    p.add_argument("--batch-size", type=int, default=2)
    p.add_argument("--eval-freq", type=int, default=5)
    p.add_argument("--eval-iter", type=int, default=5)
    p.add_argument("--max-steps", type=int, help="stop after this many steps (a quick check of the plumbing)")
    a = p.parse_args(argv)
    torch.set_num_threads(os.cpu_count() or 1)
    t0 = time.perf_counter()
    torch.manual_seed(123)
    cfg = gpt2_config("gpt2", context_length=a.context_length, qkv_bias=False, drop_rate=0.1)
    model = GPTModel(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=4e-4, weight_decay=0.1)
    train = windows(a.train, a.context_length, a.context_length)
    val = windows(a.val, a.context_length, a.context_length)
    gen = torch.Generator().manual_seed(123)
    step, last = -1, {}
    for _ in range(a.epochs):
        model.train()
        for x, y in batches(train, a.batch_size, True, True, gen):
            if a.max_steps is not None and step + 1 >= a.max_steps:
                break
            opt.zero_grad()
            calc_loss_batch(x, y, model).backward()
            opt.step()
            step += 1
            if step % a.eval_freq == 0:  # the book's evaluate_model
                model.eval()
                with torch.no_grad():
                    tl = calc_loss_loader(batches(train, a.batch_size, True, True, gen), model, a.eval_iter)
                    vl = calc_loss_loader(batches(val, a.batch_size, False, False, gen), model, a.eval_iter)
                last = {"step": step, "train_loss": tl, "val_loss": vl}
                model.train()
        model.eval()  # the book's generate_and_print_sample
        generate_text_simple(model, torch.tensor([PROMPT]), 50, a.context_length)
        model.train()
        if a.max_steps is not None and step + 1 >= a.max_steps:
            break
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "peak_rss_mb": round(peak, 1), "steps": step + 1, **last}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
