"""Compares one training pass's loss and gradients from llmfs (tools/grad-dump.mjs) with
the twin's at the same weights, windows and dropout (off): the check that a real-size step computes the
book's gradients, not only gpt-tiny's.

    /usr/bin/python3 tools/pytorch/grad_parity.py --model DIR --tokens FILE.bin --grads PREFIX \
        [--context-length 256] [--starts 0,256]

Prints one JSON line: both losses, the largest and median relative gradient error (||llmfs - twin|| /
||twin|| per parameter) and the five worst parameters. The key projection's bias has an exact-zero
gradient (softmax ignores a constant added to every score of a query): both sides give rounding noise,
so it is left out of the relative errors and its norm is reported against the whole gradient's instead.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from llmfs_twin import calc_loss_batch, load_model_directory  # noqa: E402
from llmfs_twin.layout import to_twin  # noqa: E402


def main(argv):
    p = argparse.ArgumentParser(prog="grad_parity.py", description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True)
    p.add_argument("--tokens", required=True)
    p.add_argument("--grads", required=True, help="OUT_PREFIX given to grad-dump.mjs")
    p.add_argument("--context-length", type=int, default=256)
    p.add_argument("--starts", help="window starts (default 0,T)")
    a = p.parse_args(argv)
    torch.set_num_threads(os.cpu_count())
    T = a.context_length
    starts = [int(s) for s in (a.starts or f"0,{T}").split(",")]
    model = load_model_directory(a.model, drop_rate=0.0)
    model = model[0] if isinstance(model, tuple) else getattr(model, "model", model)
    model.train()
    tokens = np.fromfile(a.tokens, dtype=np.uint16).astype(np.int64)
    x = torch.tensor(np.stack([tokens[s : s + T] for s in starts]))
    y = torch.tensor(np.stack([tokens[s + 1 : s + T + 1] for s in starts]))
    loss = calc_loss_batch(x, y, model)
    loss.backward()
    with open(a.grads + ".json", encoding="utf-8") as f:
        meta = json.load(f)
    raw = np.fromfile(a.grads + ".bin", dtype=np.float32)
    params = dict(model.named_parameters())
    rows, zero, offset = [], [], 0
    for t in meta["tensors"]:
        n = int(np.prod(t["shape"]))
        ours = raw[offset : offset + n].reshape(t["shape"])
        offset += n
        for name, value in to_twin(t["name"], ours):
            ref = params[name].grad.detach().double().numpy()
            if name.endswith("att.W_key.bias"):
                zero.append((float(np.linalg.norm(value)), float(np.linalg.norm(ref))))
                continue
            rel = float(np.linalg.norm(value - ref) / max(np.linalg.norm(ref), 1e-30))
            rows.append((rel, name))
    if offset != raw.size or len(rows) + len(zero) != sum(1 for q in params.values() if q.requires_grad):
        raise SystemExit(f"{a.grads}: {offset} of {raw.size} values, {len(rows)} of {len(params)} parameters")
    rows.sort(reverse=True)
    print(
        json.dumps(
            {
                "loss_llmfs": meta["loss"],
                "loss_twin": loss.item(),
                "plan": meta.get("plan"),
                "parameters": len(rows),
                "max_rel": rows[0][0],
                "median_rel": float(np.median([r[0] for r in rows])),
                "worst": [[n, r] for r, n in rows[:5]],
                # the exact-zero W_key.bias gradients: largest norm on either side / the twin's whole gradient norm
                "zero_grad_noise": max((max(z) for z in zero), default=0.0)
                / float(np.sqrt(sum(float((q.grad.double() ** 2).sum()) for q in params.values() if q.grad is not None))),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
