"""Writes a Hugging Face GPT-2 directory (config.json + model.safetensors, F32) with random weights of a
real GPT-2 size, for scale and speed checks where the real weights cannot be downloaded.
usage: python3 tools/make_random_gpt2.py {gpt2|gpt2-medium|gpt2-large|gpt2-xl} OUT_DIR [SEED]"""
import json, os, struct, sys
import numpy as np

SIZES = {"gpt2": (768, 12, 12), "gpt2-medium": (1024, 24, 16), "gpt2-large": (1280, 36, 20), "gpt2-xl": (1600, 48, 25)}
name, out = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 0
d, L, H = SIZES[name]
V, T = 50257, 1024
rng = np.random.default_rng(seed)
def w(*shape): return (rng.standard_normal(shape, dtype=np.float32) * 0.02)
tensors = {"wte.weight": w(V, d), "wpe.weight": w(T, d)}
for i in range(L):
    p = f"h.{i}."
    tensors.update({
        p + "ln_1.weight": np.ones(d, np.float32), p + "ln_1.bias": np.zeros(d, np.float32),
        p + "attn.c_attn.weight": w(d, 3 * d), p + "attn.c_attn.bias": w(3 * d),
        p + "attn.c_proj.weight": w(d, d), p + "attn.c_proj.bias": np.zeros(d, np.float32),
        p + "ln_2.weight": np.ones(d, np.float32), p + "ln_2.bias": np.zeros(d, np.float32),
        p + "mlp.c_fc.weight": w(d, 4 * d), p + "mlp.c_fc.bias": np.zeros(4 * d, np.float32),
        p + "mlp.c_proj.weight": w(4 * d, d), p + "mlp.c_proj.bias": np.zeros(d, np.float32),
    })
tensors["ln_f.weight"] = np.ones(d, np.float32); tensors["ln_f.bias"] = np.zeros(d, np.float32)
os.makedirs(out, exist_ok=True)
header, off = {}, 0
for k, a in tensors.items():
    header[k] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}; off += a.nbytes
h = json.dumps(header, separators=(",", ":")).encode(); h += b" " * ((8 - len(h) % 8) % 8)
with open(os.path.join(out, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h))); f.write(h)
    for a in tensors.values(): f.write(np.ascontiguousarray(a).tobytes())
json.dump({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": V, "n_positions": T, "n_ctx": T,
           "n_embd": d, "n_layer": L, "n_head": H, "activation_function": "gelu_new", "layer_norm_epsilon": 1e-5,
           "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1}, open(os.path.join(out, "config.json"), "w"), indent=1)
print(out, sum(a.size for a in tensors.values()), "parameters")
