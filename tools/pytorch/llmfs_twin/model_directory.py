"""llmfs model directories (Hugging Face GPT-2: config.json + model.safetensors) <-> the twin.

Follows @llmfs/gpt2-weights (model-config.ts, weight-mapping.ts, save-model-directory.ts) and, for
chapter 6 classifiers, @llmfs/finetune's classifier-directory.ts:
  - Conv1D weights are [in, out]; the head is `lm_head.weight` [V, C] only when it differs from wte
    (tied directories have none; the head is then a copy of wte, as the book loads GPT-2);
  - a model without qkv bias still stores a zero `attn.c_attn.bias` (GPT-2 always has one);
  - a classifier stores its head as `score.weight` [K, C] (+ `score.bias`) and says
    GPT2ForSequenceClassification in config.json.
"""
import json
import os
import shutil

import numpy as np
import torch

from .classifier import add_classification_head
from .layout import from_twin, hf_name, llmfs_names, qkv_part, to_twin
from .model import GPTModel
from .safetensors_np import read_safetensors, write_file_atomic, write_safetensors

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
CLASSIFIER_ARCHITECTURE = "GPT2ForSequenceClassification"


class ModelDirectoryError(ValueError):
    """A directory the twin cannot load; the message names the file."""


def _positive_int(config, key, where, fallback=None):
    v = config.get(key, fallback)
    if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
        raise ModelDirectoryError(f'{where}: "{key}" must be a positive integer, got {json.dumps(v)}')
    return v


def config_from_hf(config, where=CONFIG_FILE):
    """The book's cfg dict from a config.json object (the rules of llmfs's configFromHf)."""
    if not isinstance(config, dict):
        raise ModelDirectoryError(f"{where}: not a JSON object")
    if config.get("model_type", "gpt2") != "gpt2":
        raise ModelDirectoryError(f'{where}: model_type "{config["model_type"]}" is not gpt2')
    if config.get("activation_function", "gelu_new") not in ("gelu_new", "gelu_pytorch_tanh"):
        raise ModelDirectoryError(f"{where}: activation_function {config['activation_function']} is not supported")
    if abs(config.get("layer_norm_epsilon", 1e-5) - 1e-5) > 1e-12:
        raise ModelDirectoryError(f"{where}: layer_norm_epsilon {config['layer_norm_epsilon']} is not supported")
    emb_dim = _positive_int(config, "n_embd", where)
    if config.get("n_inner") not in (None, 4 * emb_dim):
        raise ModelDirectoryError(f"{where}: n_inner {config['n_inner']} is not 4 * n_embd")
    block = config.get("llmfs") or {}
    n_heads = _positive_int(config, "n_head", where)
    if emb_dim % n_heads:
        raise ModelDirectoryError(f"{where}: n_embd {emb_dim} is not divisible by n_head {n_heads}")
    drop_rate = block.get("drop_rate", config.get("resid_pdrop", 0.1))
    if not isinstance(drop_rate, (int, float)) or not 0 <= drop_rate < 1:
        raise ModelDirectoryError(f"{where}: bad drop rate {json.dumps(drop_rate)}")
    context_length = block.get("context_length") or _positive_int(config, "n_positions", where, config.get("n_ctx"))
    return {
        "vocab_size": _positive_int(config, "vocab_size", where),
        "context_length": context_length,
        "emb_dim": emb_dim,
        "n_heads": n_heads,
        "n_layers": _positive_int(config, "n_layer", where),
        "drop_rate": float(drop_rate),
        "qkv_bias": bool(block.get("qkv_bias", True)),
    }


def config_to_hf(cfg, tied, base=None):
    """config.json for `cfg`, keeping the keys of `base` (a loaded config.json) that cfg does not set."""
    out = dict(base or {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"})
    out.update(
        vocab_size=cfg["vocab_size"],
        n_positions=cfg["context_length"],
        n_ctx=cfg["context_length"],
        n_embd=cfg["emb_dim"],
        n_head=cfg["n_heads"],
        n_layer=cfg["n_layers"],
        layer_norm_epsilon=1e-5,
        activation_function="gelu_new",
        resid_pdrop=cfg["drop_rate"],
        embd_pdrop=cfg["drop_rate"],
        attn_pdrop=cfg["drop_rate"],
        tie_word_embeddings=tied,
    )
    out["llmfs"] = {"qkv_bias": cfg["qkv_bias"], "drop_rate": cfg["drop_rate"], "context_length": cfg["context_length"]}
    return out


def is_classifier_config(config):
    return CLASSIFIER_ARCHITECTURE in (config.get("architectures") or [])


def _is_buffer_name(name):
    # causal-mask buffers some Hugging Face files carry: h.{i}.attn.bias / attn.masked_bias
    parts = name.split(".")
    return len(parts) == 4 and parts[0] == "h" and parts[2] == "attn" and parts[3] in ("bias", "masked_bias")


class LoadedModel:
    """A twin model with what its directory said: cfg (the book's keys), config.json, classifier or not."""

    def __init__(self, model, cfg, config, num_classes=None, head_bias=False):
        self.model, self.cfg, self.config = model, cfg, config
        self.num_classes, self.head_bias = num_classes, head_bias


def load_model_directory(directory, drop_rate=None):
    """Loads an llmfs/Hugging Face GPT-2 directory (LM or chapter 6 classifier) into a twin GPTModel."""
    config_path = os.path.join(directory, CONFIG_FILE)
    weights_path = os.path.join(directory, WEIGHTS_FILE)
    try:
        with open(config_path, encoding="utf-8") as f:
            config = json.load(f)
    except FileNotFoundError:
        raise ModelDirectoryError(f"{config_path}: no such file (is {directory} a model directory?)") from None
    except ValueError as err:
        raise ModelDirectoryError(f"{config_path}: not JSON ({err})") from None
    cfg = config_from_hf(config, config_path)
    if drop_rate is not None:
        cfg["drop_rate"] = drop_rate
    if not os.path.exists(weights_path):
        raise ModelDirectoryError(f"{weights_path}: no such file")
    raw, _ = read_safetensors(weights_path)
    tensors = {(n[len("transformer.") :] if n.startswith("transformer.") else n): v for n, v in raw.items()}

    classifier = is_classifier_config(config)
    head_bias = classifier and "score.bias" in tensors
    used = set()

    def take(name, shape):
        if name not in tensors:
            raise ModelDirectoryError(f"{weights_path}: missing tensor transformer.{name}")
        if tuple(tensors[name].shape) != tuple(shape):
            raise ModelDirectoryError(f"{weights_path}: {name} is {list(tensors[name].shape)}, expected {list(shape)}")
        used.add(name)
        return tensors[name]

    C, V = cfg["emb_dim"], cfg["vocab_size"]
    state = {}  # llmfs names and layouts
    for name in llmfs_names(cfg, head_bias):
        if name == "out_head.weight":
            if classifier:
                num_classes = tensors["score.weight"].shape[0] if "score.weight" in tensors else 0
                state[name] = take("score.weight", (num_classes, C)).T
            elif "lm_head.weight" in tensors:
                state[name] = take("lm_head.weight", (V, C)).T
            else:
                state[name] = state["tok_emb.weight"].T  # tied: the head is a copy of wte
        elif name == "out_head.bias":
            state[name] = take("score.bias", (state["out_head.weight"].shape[1],))
        else:
            shape = _llmfs_shape(name, cfg)
            part = qkv_part(name)
            if part is None:
                state[name] = take(hf_name(name)[len("transformer.") :], shape)
            else:  # c_attn holds W_query | W_key | W_value side by side
                whole = take(hf_name(name)[len("transformer.") :], shape[:-1] + (3 * shape[-1],))
                state[name] = np.split(whole, 3, axis=-1)[part].copy()
    for name in tensors:
        zero_bias = not cfg["qkv_bias"] and name.endswith("attn.c_attn.bias")  # GPT-2's bias slot, unused
        if name not in used and not _is_buffer_name(name) and not zero_bias:
            raise ModelDirectoryError(f"{weights_path}: unexpected tensor {name} for a {cfg['n_layers']}-layer GPT-2")

    model = GPTModel(cfg)
    num_classes = None
    if classifier:
        num_classes = state["out_head.weight"].shape[1]
        add_classification_head(model, num_classes)
        if not head_bias:
            state["out_head.bias"] = np.zeros(num_classes, dtype=np.float32)
    twin = {}
    for name, value in state.items():
        twin.update(to_twin(name, value))
    model.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in twin.items()}, strict=True)
    return LoadedModel(model, cfg, config, num_classes, head_bias)


def _llmfs_shape(name, cfg):
    C, T, V = cfg["emb_dim"], cfg["context_length"], cfg["vocab_size"]
    rest = name.split(".", 2)[-1] if name.startswith("trf_blocks.") else name
    return {
        "tok_emb.weight": (V, C),
        "pos_emb.weight": (T, C),
        "att.W_query.weight": (C, C),
        "att.W_key.weight": (C, C),
        "att.W_value.weight": (C, C),
        "att.out_proj.weight": (C, C),
        "ff.layers.0.weight": (C, 4 * C),
        "ff.layers.0.bias": (4 * C,),
        "ff.layers.2.weight": (4 * C, C),
    }.get(rest, (C,))


def model_tensors(loaded, model=None):
    """The model.safetensors tensors of a (possibly trained) model, in the order llmfs writes them."""
    model = model or loaded.model
    cfg, classifier = loaded.cfg, loaded.num_classes is not None
    twin = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    state = from_twin(twin, cfg, loaded.head_bias)
    out = {}
    for name, value in state.items():
        if name == "out_head.weight":
            head = np.ascontiguousarray(value.T)  # [C, V] -> [V, C]
            if not classifier and head.tobytes() != state["tok_emb.weight"].tobytes():
                out["lm_head.weight"] = head
        elif qkv_part(name) is not None:  # c_attn: W_query | W_key | W_value side by side
            out.setdefault(hf_name(name), []).append(value)
        elif name != "out_head.bias":
            out[hf_name(name)] = value
    for key, value in out.items():
        if isinstance(value, list):
            out[key] = np.concatenate(value, axis=-1)
    if not cfg["qkv_bias"]:
        for i in range(cfg["n_layers"]):
            out[f"transformer.h.{i}.attn.c_attn.bias"] = np.zeros(3 * cfg["emb_dim"], dtype=np.float32)
    if classifier:
        out["score.weight"] = np.ascontiguousarray(state["out_head.weight"].T)
        if loaded.head_bias:
            out["score.bias"] = state["out_head.bias"]
    return out


def save_model_directory(directory, loaded, model=None):
    """Writes config.json + model.safetensors into an existing directory (each file crash-safe)."""
    tensors = model_tensors(loaded, model)
    tied = loaded.num_classes is not None or "lm_head.weight" not in tensors
    write_safetensors(os.path.join(directory, WEIGHTS_FILE), tensors, {"format": "pt"})
    config = config_to_hf(loaded.cfg, tied, base=loaded.config)
    write_file_atomic(os.path.join(directory, CONFIG_FILE), (json.dumps(config, indent=2) + "\n").encode())


def write_directory_atomic(final, fill):
    """Calls fill(tmp) on a fresh temporary sibling of `final`, then renames it to `final`.

    `final` must not exist or be an empty directory; on any error the temporary directory is removed,
    so a reader never sees a half-written model directory.
    """
    final = os.path.abspath(final)
    parent = os.path.dirname(final)
    os.makedirs(parent, exist_ok=True)
    tmp = os.path.join(parent, f".{os.path.basename(final)}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    os.mkdir(tmp)
    try:
        fill(tmp)
        os.rename(tmp, final)  # replaces an empty directory; fails on a non-empty one
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    fd = os.open(parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
