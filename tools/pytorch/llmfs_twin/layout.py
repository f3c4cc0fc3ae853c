"""Names and layouts: llmfs parameter names <-> this twin's <-> GPT-2's Hugging Face names.

llmfs keeps the book's names (`att.W_query`, `att.W_key`, `att.W_value`, ...) and stores every Linear
weight as [in, out] (GPT-2's Conv1D layout); PyTorch's nn.Linear is [out, in]. GPT-2's files hold the
three projections side by side in one `attn.c_attn` tensor (columns q | k | v). The same
element-wise mapping serves weights and AdamW moments (moments have the shape of their parameter).
The order of `llmfs_names` is @llmfs/gpt2-weights' gpt2Mapping, the order llmfs writes files in.
"""
import numpy as np

# llmfs Linear weights ([in, out]) that are nn.Linear weights ([out, in]) here, by name suffix
_QKV = ("W_query", "W_key", "W_value")
_TRANSPOSED = tuple(f"att.{w}.weight" for w in _QKV) + (
    "att.out_proj.weight",
    "ff.layers.0.weight",
    "ff.layers.2.weight",
    "out_head.weight",
)


def llmfs_names(cfg, head_bias=False):
    """llmfs parameter names of a GPT-2-shaped model, in gpt2Mapping order (head last)."""
    names = ["tok_emb.weight", "pos_emb.weight"]
    for i in range(cfg["n_layers"]):
        b = f"trf_blocks.{i}"
        names += [f"{b}.norm1.scale", f"{b}.norm1.shift"] + [f"{b}.att.{w}.weight" for w in _QKV]
        names += [f"{b}.att.{w}.bias" for w in _QKV] if cfg["qkv_bias"] else []
        names += [f"{b}.att.out_proj.weight", f"{b}.att.out_proj.bias", f"{b}.norm2.scale", f"{b}.norm2.shift"]
        names += [f"{b}.ff.layers.0.weight", f"{b}.ff.layers.0.bias", f"{b}.ff.layers.2.weight", f"{b}.ff.layers.2.bias"]
    names += ["final_norm.scale", "final_norm.shift", "out_head.weight"]
    return names + (["out_head.bias"] if head_bias else [])


def qkv_part(llmfs_name):
    """0, 1, 2 for W_query, W_key, W_value (their third of c_attn's last axis), else None."""
    for i, w in enumerate(_QKV):
        if f".att.{w}." in llmfs_name:
            return i
    return None


def hf_name(llmfs_name):
    """GPT-2's Hugging Face name (with the "transformer." prefix) of the tensor that holds an llmfs
    backbone parameter (W_query, W_key and W_value share c_attn: see qkv_part)."""
    fixed = {
        "tok_emb.weight": "wte.weight",
        "pos_emb.weight": "wpe.weight",
        "final_norm.scale": "ln_f.weight",
        "final_norm.shift": "ln_f.bias",
    }
    if llmfs_name in fixed:
        return "transformer." + fixed[llmfs_name]
    _, i, rest = llmfs_name.split(".", 2)
    part = {
        "norm1.scale": "ln_1.weight",
        "norm1.shift": "ln_1.bias",
        **{f"att.{w}.weight": "attn.c_attn.weight" for w in _QKV},
        **{f"att.{w}.bias": "attn.c_attn.bias" for w in _QKV},
        "att.out_proj.weight": "attn.c_proj.weight",
        "att.out_proj.bias": "attn.c_proj.bias",
        "norm2.scale": "ln_2.weight",
        "norm2.shift": "ln_2.bias",
        "ff.layers.0.weight": "mlp.c_fc.weight",
        "ff.layers.0.bias": "mlp.c_fc.bias",
        "ff.layers.2.weight": "mlp.c_proj.weight",
        "ff.layers.2.bias": "mlp.c_proj.bias",
    }[rest]
    return f"transformer.h.{i}.{part}"


def to_twin(name, value):
    """One llmfs array (weight or moment) -> [(twin parameter name, array)]."""
    if name.endswith(("att.qkv.weight", "att.qkv.bias")):
        # written before llmfs had W_query, W_key, W_value: the three side by side, columns q | k | v
        prefix, kind = name.rsplit("qkv.", 1)[0], name.rsplit(".", 1)[1]
        parts = np.split(value, 3, axis=-1)
        return [(f"{prefix}{w}.{kind}", p.T.copy() if kind == "weight" else p.copy()) for w, p in zip(_QKV, parts)]
    if name.endswith(_TRANSPOSED):
        return [(name, value.T.copy())]
    return [(name, value)]


def from_twin(twin, cfg, head_bias=False, names=None):
    """{twin name: array} -> {llmfs name: array} in llmfs order; names absent from `twin` are skipped."""
    out = {}
    for name in names or llmfs_names(cfg, head_bias):
        if name in twin:
            out[name] = np.ascontiguousarray(twin[name].T) if name.endswith(_TRANSPOSED) else twin[name]
    return out
