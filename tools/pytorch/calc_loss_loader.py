"""The twin's `llmfs loss`: mean cross-entropy over the first K batches of the unshuffled windows.

    /usr/bin/python3 tools/pytorch/calc_loss_loader.py --model DIR --tokens FILE.bin \
        --context-length T --batch-size B [--stride S] [--max-batches K]

Prints {"loss": x}. On the token file of the same text it reads the windows `llmfs loss --data TEXT`
reads, so the two numbers can be compared (the book's calc_loss_loader, chapter 5).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

from llmfs_twin import TokenFile, calc_loss_batch, load_model_directory  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(prog="calc_loss_loader.py", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--tokens", required=True)
    p.add_argument("--context-length", type=int, required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--stride", type=int)
    p.add_argument("--max-batches", type=int)
    a = p.parse_args(argv)
    loaded = load_model_directory(a.model)
    tokens = TokenFile(a.tokens, a.context_length, a.stride or a.context_length)
    batches = -(-tokens.num_windows // a.batch_size)  # the last batch may be short, as in the book
    batches = min(batches, a.max_batches) if a.max_batches else batches
    model = loaded.model.eval()
    total = 0.0
    with torch.no_grad():
        for i in range(batches):
            windows = range(i * a.batch_size, min((i + 1) * a.batch_size, tokens.num_windows))
            x, y = (torch.from_numpy(t) for t in tokens.batch(list(windows), loaded.cfg["vocab_size"]))
            total += calc_loss_batch(x, y, model).item()
    print(json.dumps({"loss": total / batches}))


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (ValueError, OSError) as err:
        print(f"calc_loss_loader.py: {err}", file=sys.stderr)
        sys.exit(1)
