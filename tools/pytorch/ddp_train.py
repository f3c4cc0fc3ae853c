"""Train an llmfs model directory with PyTorch DistributedDataParallel and write a model directory back.

    /usr/bin/python3 -m torch.distributed.run --nproc_per_node N tools/pytorch/ddp_train.py \
        --model DIR --tokens FILE.bin --out DIR2 --steps S --batch-size b --context-length T

DIR is what `llmfs pretrain` writes (or any Hugging Face GPT-2 directory); FILE.bin a uint16 token file
(`llmfs tokenize --file F --out FILE.bin`). Each of the N processes takes b windows per step
(DistributedSampler-style, see llmfs_twin/sampler.py), so a step sees N * b windows; gradients are
averaged by DDP (gloo on CPU, nccl on CUDA). When DIR holds llmfs optimizer state
(training_state.safetensors + trainer_state.json, e.g. a checkpoints/step-N folder) AdamW continues
from its moments and step counts; otherwise it starts fresh and says so. Rank 0 writes DIR2 (model,
optimizer state, trainer_state.json) into a temporary folder and renames it into place.
Run without torchrun it trains in one process.
"""
import argparse
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402

from llmfs_twin import (  # noqa: E402
    TokenFile,
    calc_loss_batch,
    has_optimizer_state,
    load_model_directory,
    load_optimizer_state,
    rank_windows,
    save_model_directory,
    save_optimizer_state,
    write_directory_atomic,
)
from llmfs_twin.optimizer_state import TRAINER_STATE_FILE  # noqa: E402

PROG = "ddp_train.py"
DDP_STATE_FORMAT = "llmfs-ddp-trainer-state"


class UserError(Exception):
    """A mistake the user can fix: printed as one line, exit code 1."""


def parse_args(argv):
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="llmfs model directory to start from")
    p.add_argument("--tokens", required=True, help="uint16 token file (llmfs tokenize --out)")
    p.add_argument("--out", required=True, help="model directory to write (must not exist, or be empty)")
    p.add_argument("--steps", type=int, required=True, help="optimizer steps")
    p.add_argument("--batch-size", type=int, required=True, help="windows per process per step")
    p.add_argument("--context-length", type=int, required=True, help="tokens per window")
    p.add_argument("--stride", type=int, help="tokens between window starts (default: the context length)")
    p.add_argument("--skip-windows", type=int, help="start this far into the window stream (default 0)")
    p.add_argument("--shuffle", action="store_true", help="a seeded permutation of the windows each epoch")
    p.add_argument("--lr", type=float, help="AdamW learning rate (default: the llmfs run's, else 4e-4)")
    p.add_argument("--weight-decay", type=float, help="AdamW weight decay (default: the llmfs run's, else 0.1)")
    p.add_argument("--grad-clip", type=float, help="clip the global gradient norm to this")
    p.add_argument("--drop-rate", type=float, help="dropout rate (default: the model's)")
    p.add_argument("--seed", type=int, default=123, help="seed for dropout (plus the rank) and shuffling")
    p.add_argument("--json-log", help='append one JSON line per step: {"step","epoch","tokensSeen","loss","lr","stepMs"}')
    return p.parse_args(argv)


def check_args(a):
    for flag, v, least in (("--steps", a.steps, 0), ("--batch-size", a.batch_size, 1), ("--context-length", a.context_length, 1)):
        if v < least:
            raise UserError(f"{flag}: expected an integer >= {least}, got {v}")
    if a.stride is not None and a.stride < 1:
        raise UserError(f"--stride: expected an integer >= 1, got {a.stride}")
    if a.skip_windows is not None and a.skip_windows < 0:
        raise UserError(f"--skip-windows: expected an integer >= 0, got {a.skip_windows}")
    if not os.path.isdir(a.model):
        raise UserError(f"--model {a.model}: no such directory")
    if os.path.exists(a.out) and (not os.path.isdir(a.out) or os.listdir(a.out)):
        raise UserError(f"--out {a.out}: exists and is not an empty folder; pick a new one")
    if os.path.abspath(a.out) == os.path.abspath(a.model):
        raise UserError("--out: must differ from --model")


def read_trainer_state(directory):
    """trainer_state.json of an llmfs checkpoint or of an earlier ddp_train run ({} when absent)."""
    path = os.path.join(directory, TRAINER_STATE_FILE)
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except ValueError as err:
        raise UserError(f"{path}: not JSON ({err})") from None
    if state.get("format") not in ("llmfs-trainer-state", DDP_STATE_FORMAT):
        raise UserError(f"{path}: not an llmfs trainer state")
    return state


def next_window(prior, a, tokens):
    """Where an earlier ddp_train run stopped, when it read the same windows of the same file; else 0."""
    run = prior.get("runConfig") or {}
    same = (run.get("tokens"), run.get("contextLength"), run.get("stride")) == (
        os.path.abspath(a.tokens),
        a.context_length,
        tokens.stride,
    )
    return prior.get("nextWindow", 0) if same else 0


def setup_process_group():
    """(rank, world_size, local_rank, device); a plain `python3 ddp_train.py` is a group of one."""
    if "RANK" not in os.environ:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        os.environ.update(RANK="0", WORLD_SIZE="1", LOCAL_RANK="0", LOCAL_WORLD_SIZE="1")
        os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        device, backend = torch.device("cuda", local_rank), "nccl"
    else:
        # processes on one machine share its cores
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // int(os.environ.get("LOCAL_WORLD_SIZE", "1"))))
        device, backend = torch.device("cpu"), "gloo"
    dist.init_process_group(backend)
    return dist.get_rank(), dist.get_world_size(), local_rank, device


def main(argv):
    a = parse_args(argv)
    check_args(a)
    rank, world, local_rank, device = setup_process_group()
    say = print if rank == 0 else (lambda *_, **__: None)
    try:
        train(a, rank, world, local_rank, device, say)
    finally:
        dist.destroy_process_group()


def train(a, rank, world, local_rank, device, say):
    loaded = load_model_directory(a.model, drop_rate=a.drop_rate)
    if loaded.num_classes is not None:
        raise UserError(f"--model {a.model}: a classifier; ddp_train.py trains language models on token files")
    cfg = loaded.cfg
    if a.context_length > cfg["context_length"]:
        raise UserError(f"--context-length {a.context_length}: the model's context length is {cfg['context_length']}")
    tokens = TokenFile(a.tokens, a.context_length, a.stride or a.context_length)
    global_batch = world * a.batch_size
    if tokens.num_windows < global_batch:
        raise UserError(
            f"--tokens {a.tokens}: {tokens.num_windows} windows, fewer than one step's {global_batch} "
            f"(--batch-size {a.batch_size} x {world} processes)"
        )

    prior = read_trainer_state(a.model)
    run = prior.get("runConfig") or {}
    lr = a.lr if a.lr is not None else run.get("lr", 4e-4)
    weight_decay = a.weight_decay if a.weight_decay is not None else run.get("weightDecay", 0.1)
    skip = a.skip_windows if a.skip_windows is not None else next_window(prior, a, tokens)

    model = loaded.model.to(device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=lr, weight_decay=weight_decay)
    step = 0
    if has_optimizer_state(a.model):
        step = load_optimizer_state(optimizer, model, a.model)
        say(f"AdamW continues from {a.model} (step {step}: moments and step counts; lr {lr}, weight decay {weight_decay})")
    else:
        say(f"AdamW starts fresh: {a.model} holds no training_state.safetensors (lr {lr}, weight decay {weight_decay})")
    say(
        f"{world} process(es) on {device.type} ({dist.get_backend()}), batch {a.batch_size} each = {global_batch} "
        f"windows of {a.context_length} tokens per step; {tokens.num_windows} windows in {a.tokens}, from window {skip}"
    )

    ddp = DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None)
    torch.manual_seed(a.seed + rank)  # dropout masks differ across ranks
    losses = []
    log = open(a.json_log, "a", encoding="utf-8") if a.json_log and rank == 0 else None
    tokens_seen = prior.get("tokensSeen", 0)
    model.train()
    for s in range(a.steps):
        t0 = time.perf_counter()
        windows = rank_windows(s, rank, world, a.batch_size, tokens.num_windows, skip, a.shuffle, a.seed)
        inputs, targets = (torch.from_numpy(x).to(device) for x in tokens.batch(windows, cfg["vocab_size"]))
        optimizer.zero_grad()
        loss = calc_loss_batch(inputs, targets, ddp)
        loss.backward()  # DDP averages the gradients over the processes here
        if a.grad_clip:
            torch.nn.utils.clip_grad_norm_(trainable, a.grad_clip)
        optimizer.step()
        mean_loss = loss.detach().clone()
        dist.all_reduce(mean_loss)
        mean_loss = mean_loss.item() / world  # each rank's loss is a mean over as many tokens
        tokens_seen += global_batch * a.context_length
        losses.append(mean_loss)
        ms = (time.perf_counter() - t0) * 1000
        say(f"step {step + 1}: loss {mean_loss:.4f} ({ms:.0f} ms)")
        if log:
            epoch = (skip + s * global_batch) // tokens.num_windows
            row = {"step": step, "epoch": epoch, "tokensSeen": tokens_seen, "loss": mean_loss, "lr": lr, "stepMs": ms}
            log.write(json.dumps(row) + "\n")
            log.flush()
        step += 1
    if log:
        log.close()

    if rank == 0:
        state = {
            "format": DDP_STATE_FORMAT,
            "version": 1,
            "step": step,
            "tokensSeen": tokens_seen,
            "nextWindow": skip + a.steps * global_batch,
            "trainLosses": losses,
            "runConfig": {
                "lr": lr,
                "weightDecay": weight_decay,
                "processes": world,
                "batchSize": a.batch_size,
                "contextLength": a.context_length,
                "stride": tokens.stride,
                "tokens": os.path.abspath(a.tokens),
                "seed": a.seed,
            },
        }

        def fill(tmp):
            save_model_directory(tmp, loaded, model.cpu())
            if optimizer.state:
                save_optimizer_state(tmp, optimizer, model, cfg, step)
            with open(os.path.join(tmp, TRAINER_STATE_FILE), "w", encoding="utf-8") as f:
                f.write(json.dumps(state, indent=1) + "\n")

        write_directory_atomic(a.out, fill)
        say(f"model directory: {a.out} (step {step}{f', last loss {losses[-1]:.4f}' if losses else ''})")
    dist.barrier()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (UserError, ValueError, OSError) as err:
        if os.environ.get("RANK", "0") == "0":
            print(f"{PROG}: {err}", file=sys.stderr)
        sys.exit(1)
