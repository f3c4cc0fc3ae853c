"""Benchmark of the PyTorch twin at the book's shapes: seconds per training step and peak RSS.

    /usr/bin/python3 tools/pytorch/bench_twin.py [--rows ch05,ch06,eval,kv124,kvmedium] [--steps 3] [--warmup 1]

Rows (random weights, CPU, every core):
  ch05      chapter 5 step: GPT-2 124M config, context 256, batch 2, AdamW lr 4e-4 wd 0.1, dropout 0.1
  ch06      chapter 6 step: 124M with qkv bias, batch 8, length 120, 2 classes; only the last block,
            final_norm and the head trainable (AdamW lr 5e-5 wd 0.1, loss on the last token)
  ch07      chapter 7 step: gpt2-medium, batch 8, length 192, all trainable (AdamW lr 5e-5 wd 0.1);
            about 15 GB and a minute a step, so not run unless named
  eval      an evaluation pass: 5 batches of the ch05 shape, no gradients
  kv124     greedy generation with a KV cache (the book's gpt_with_kv_cache), 124M, tokens/s
  kvmedium  the same with gpt2-medium
  generate  greedy generation without a KV cache (the book's generate_text_simple), 124M, tokens/s
Each row runs in its own process, so its peak RSS (getrusage ru_maxrss) is its own. Prints one JSON object.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

DEFAULT_ROWS = ["ch05", "ch06", "eval", "kv124", "kvmedium", "generate"]
ALL_ROWS = ["ch05", "ch06", "ch07", "eval", "kv124", "kvmedium", "generate"]

# GNU OpenMP's idle threads spin by default and then fight OpenBLAS's own threads for the cores: on the
# 2-core machine a chapter 5 step took 25.4 s spinning and 16.0 s passive (same load). Set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
try:
    import torch
except ImportError:
    torch = None


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def blas_libraries():
    """The BLAS libraries this process loaded (Linux): Debian's reference libblas is ~20x slower than OpenBLAS."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open("/proc/self/maps", encoding="utf-8") as f:
            paths = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
    except OSError:
        return []
    return sorted(os.path.realpath(p) for p in paths)


def blas_kind(paths):
    """'openblas', 'mkl', 'reference' (Debian's libblas3: ~20x slower, the ratios would be a lie) or 'unknown'."""
    joined = " ".join(paths).lower()
    if "openblas" in joined:
        return "openblas"
    if "mkl" in joined:
        return "mkl"
    if "blas" in joined:
        return "reference"
    return "unknown"  # a wheel with BLAS linked in statically


def timed_steps(step, steps, warmup):
    for _ in range(warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    return (time.perf_counter() - t0) / steps


def lm_step_row(cfg, batch, length, lr, steps, warmup):
    """Seconds per step of the book's train_model_simple body on random ids."""
    from llmfs_twin import GPTModel, calc_loss_batch

    model = GPTModel(cfg).train()
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.1)
    x = torch.randint(0, cfg["vocab_size"], (batch, length))
    y = torch.randint(0, cfg["vocab_size"], (batch, length))

    def step():
        opt.zero_grad()
        calc_loss_batch(x, y, model).backward()
        opt.step()

    return {"step_s": timed_steps(step, steps, warmup)}


def classifier_row(steps, warmup):
    from llmfs_twin import GPTModel, add_classification_head, calc_loss_batch_classifier, freeze_for_classification, gpt2_config

    model = GPTModel(gpt2_config("gpt2", qkv_bias=True, drop_rate=0.0))
    freeze_for_classification(add_classification_head(model, 2))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=5e-5, weight_decay=0.1)
    x = torch.randint(0, 50257, (8, 120))
    y = torch.randint(0, 2, (8,))

    def step():
        opt.zero_grad()
        calc_loss_batch_classifier(x, y, model).backward()
        opt.step()

    return {"step_s": timed_steps(step, steps, warmup), "trainable_parameters": sum(p.numel() for p in trainable)}


def eval_row(steps, warmup):
    from llmfs_twin import GPTModel, calc_loss_batch, gpt2_config

    model = GPTModel(gpt2_config("gpt2", context_length=256)).eval()
    batches = [(torch.randint(0, 50257, (2, 256)), torch.randint(0, 50257, (2, 256))) for _ in range(5)]

    def evaluate():
        with torch.no_grad():
            return sum(calc_loss_batch(x, y, model).item() for x, y in batches) / len(batches)

    return {"pass_s": timed_steps(evaluate, steps, warmup), "batches": 5}


def generate_row(new_tokens, warmup):
    from llmfs_twin import GPTModel, generate_text_simple, gpt2_config

    model = GPTModel(gpt2_config("gpt2", qkv_bias=True, drop_rate=0.0)).eval()
    prompt = torch.tensor([[6109, 3626, 6100, 345]])  # "Every effort moves you"
    if warmup:
        generate_text_simple(model, prompt, 1, 1024)
    t0 = time.perf_counter()
    generate_text_simple(model, prompt, new_tokens, 1024)
    seconds = time.perf_counter() - t0
    return {"tokens_per_s": new_tokens / seconds, "new_tokens": new_tokens, "seconds": seconds}


def kv_generate_row(size, new_tokens, warmup):
    """Greedy tokens/s with the KV cache, as `llmfs bench`'s cached generation (prompt of 4 tokens)."""
    from llmfs_twin import GPTModel, generate_text_cached, gpt2_config

    model = GPTModel(gpt2_config(size, qkv_bias=True, drop_rate=0.0)).eval()
    prompt = torch.tensor([[15496, 11, 314, 716]])  # "Hello, I am", llmfs bench's prompt
    if warmup:
        generate_text_cached(model, prompt, 2)
    t0 = time.perf_counter()
    generate_text_cached(model, prompt, new_tokens)
    seconds = time.perf_counter() - t0
    return {"tokens_per_s": new_tokens / seconds, "new_tokens": new_tokens, "seconds": seconds}


def run_row(name, steps, warmup, new_tokens):
    from llmfs_twin import gpt2_config

    if name == "ch05":
        out = lm_step_row(gpt2_config("gpt2", context_length=256), 2, 256, 4e-4, steps, warmup)
        shape = {"config": "gpt2 (124M)", "batch": 2, "length": 256, "qkv_bias": False}
    elif name == "ch06":
        out = classifier_row(steps, warmup)
        shape = {"config": "gpt2 (124M)", "batch": 8, "length": 120, "qkv_bias": True, "num_classes": 2}
    elif name == "ch07":
        out = lm_step_row(gpt2_config("gpt2-medium", qkv_bias=True, drop_rate=0.0), 8, 192, 5e-5, steps, warmup)
        shape = {"config": "gpt2-medium (355M)", "batch": 8, "length": 192, "qkv_bias": True}
    elif name == "eval":
        out = eval_row(steps, warmup)
        shape = {"config": "gpt2 (124M)", "batch": 2, "length": 256}
    elif name in ("kv124", "kvmedium"):
        size = "gpt2" if name == "kv124" else "gpt2-medium"
        out = kv_generate_row(size, new_tokens, warmup)
        shape = {"config": size, "prompt_tokens": 4, "kv_cache": True}
    else:
        out = generate_row(new_tokens, warmup)
        shape = {"config": "gpt2 (124M)", "prompt_tokens": 4, "kv_cache": False}
    return {"shape": shape, **out, "peak_rss_mb": round(peak_rss_mb(), 1)}


def main(argv):
    p = argparse.ArgumentParser(prog="bench_twin.py", description=__doc__.split("\n")[0])
    p.add_argument("--rows", default=",".join(DEFAULT_ROWS), help=f"comma-separated, of {','.join(ALL_ROWS)}")
    p.add_argument("--steps", type=int, default=3, help="timed steps (passes) per row")
    p.add_argument("--warmup", type=int, default=1, help="untimed steps first (allocation, thread pools)")
    p.add_argument("--new-tokens", type=int, default=25, help="tokens to generate in the generate row")
    p.add_argument("--child", help=argparse.SUPPRESS)  # one row, in this process
    a = p.parse_args(argv)
    if torch is None:
        print("skipping bench_twin.py: no torch in this python3 (apt-get install python3-torch, or pip install torch)")
        return 0
    rows = [r for r in a.rows.split(",") if r]
    unknown = [r for r in rows if r not in ALL_ROWS]
    if unknown or a.steps < 1 or a.warmup < 0 or a.new_tokens < 1:
        print(f"bench_twin.py: --rows {','.join(unknown)}: expected some of {','.join(ALL_ROWS)}" if unknown
              else "bench_twin.py: --steps, --new-tokens must be >= 1 and --warmup >= 0", file=sys.stderr)
        return 1
    threads = os.cpu_count() or 1
    torch.set_num_threads(threads)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    torch.manual_seed(123)
    if a.child:
        print(json.dumps(run_row(a.child, a.steps, a.warmup, a.new_tokens)))
        return 0
    blas = blas_libraries()
    result = {"torch": torch.__version__, "threads": threads, "device": "cpu", "blas": blas, "blas_kind": blas_kind(blas),
              "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY")}
    result.update(steps=a.steps, warmup=a.warmup, rows={})
    for name in rows:
        args = [sys.executable, os.path.abspath(__file__), "--child", name, "--steps", str(a.steps)]
        args += ["--warmup", str(a.warmup), "--new-tokens", str(a.new_tokens)]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"bench_twin.py: row {name} failed: {r.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return 1
        result["rows"][name] = json.loads(r.stdout)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
