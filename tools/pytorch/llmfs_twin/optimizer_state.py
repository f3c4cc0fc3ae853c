"""llmfs AdamW state (training_state.safetensors) <-> torch.optim.AdamW state.

llmfs's AdamW (packages/trainer/src/adamw.ts) has PyTorch's semantics and saves, per parameter name,
`<name>.exp_avg`, `<name>.exp_avg_sq` (the parameter's llmfs shape) and `<name>.step` (a float32
scalar), plus `__adamw__.step_count`. The moments are element-wise, so they take the same name and
layout mapping as the weights (layout.py). Not carried: llmfs's data position, RNG states and schedule.
"""
import os

import numpy as np
import torch

from .layout import from_twin, llmfs_names, to_twin
from .safetensors_np import read_safetensors, write_safetensors

TRAINING_STATE_FILE = "training_state.safetensors"
TRAINER_STATE_FILE = "trainer_state.json"
STEP_COUNT = "__adamw__.step_count"


class OptimizerStateError(ValueError):
    """Optimizer state that does not fit the model; the message names the file and the parameter."""


def has_optimizer_state(directory):
    return os.path.isfile(os.path.join(directory, TRAINING_STATE_FILE))


def load_optimizer_state(optimizer, model, directory):
    """Puts the moments and step counts of `directory`'s training_state.safetensors into `optimizer`.

    Returns the optimizer step count saved there. Every parameter with saved moments must be one the
    optimizer trains, with the same shape.
    """
    path = os.path.join(directory, TRAINING_STATE_FILE)
    saved, _ = read_safetensors(path)
    params = dict(model.named_parameters())
    optimized = {id(p) for group in optimizer.param_groups for p in group["params"]}
    for key in saved:
        name, _, kind = key.rpartition(".")
        if key == STEP_COUNT or kind == "step":
            continue
        if kind not in ("exp_avg", "exp_avg_sq"):
            raise OptimizerStateError(f"{path}: unexpected entry {key}")
    names = {key.rpartition(".")[0] for key in saved if key.endswith(".exp_avg")}
    for name in names:
        for kind in ("exp_avg_sq", "step"):
            if f"{name}.{kind}" not in saved:
                raise OptimizerStateError(f"{path}: missing {name}.{kind}")
        step = float(saved[f"{name}.step"].reshape(-1)[0])
        pieces = dict(to_twin(name, saved[f"{name}.exp_avg"]))
        for twin_name, exp_avg_sq in to_twin(name, saved[f"{name}.exp_avg_sq"]):
            p = params.get(twin_name)
            if p is None or id(p) not in optimized:
                raise OptimizerStateError(f"{path}: moments for {name}, which this model does not train")
            if tuple(p.shape) != exp_avg_sq.shape:
                raise OptimizerStateError(f"{path}: {name} moments are {list(saved[f'{name}.exp_avg'].shape)}, the parameter differs")
            optimizer.state[p] = {
                "step": torch.tensor(step),
                "exp_avg": torch.from_numpy(np.ascontiguousarray(pieces[twin_name])).to(p.device),
                "exp_avg_sq": torch.from_numpy(np.ascontiguousarray(exp_avg_sq)).to(p.device),
            }
    count = saved.get(STEP_COUNT)
    return int(count.reshape(-1)[0]) if count is not None else 0


def optimizer_state_tensors(optimizer, model, cfg, step_count):
    """The training_state.safetensors tensors of `optimizer`, llmfs names and layouts, llmfs order."""
    by_param = {id(p): n for n, p in model.named_parameters()}
    moments = {"exp_avg": {}, "exp_avg_sq": {}}
    steps = {}
    for p, state in optimizer.state.items():
        if "exp_avg" not in state:
            continue
        name = by_param[id(p)]
        for kind in moments:
            moments[kind][name] = state[kind].detach().cpu().numpy()
        steps[name] = float(state["step"])
    head_bias = "out_head.bias" in dict(model.named_parameters())
    names = llmfs_names(cfg, head_bias)
    exp_avg = from_twin(moments["exp_avg"], cfg, names=names)
    exp_avg_sq = from_twin(moments["exp_avg_sq"], cfg, names=names)
    out = {}
    for name in exp_avg:
        twin_step = next(steps[t] for t, _ in to_twin(name, exp_avg[name]))
        out[f"{name}.exp_avg"] = exp_avg[name]
        out[f"{name}.exp_avg_sq"] = exp_avg_sq[name]
        out[f"{name}.step"] = np.array(twin_step, dtype=np.float32)
    out[STEP_COUNT] = np.array(step_count, dtype=np.float32)
    return out


def save_optimizer_state(directory, optimizer, model, cfg, step_count):
    """Writes training_state.safetensors as llmfs's pretrain checkpoints do."""
    tensors = optimizer_state_tensors(optimizer, model, cfg, step_count)
    write_safetensors(os.path.join(directory, TRAINING_STATE_FILE), tensors, {"format": "pt", "llmfs": "adamw-state"})
