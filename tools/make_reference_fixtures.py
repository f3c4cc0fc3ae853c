"""Regenerates packages/testing/fixtures/gpt-tiny from the book's own PyTorch code.

Usage (Debian's python3 with torch and numpy; see tools/README.md):
    /usr/bin/python3 tools/make_reference_fixtures.py BOOK_CODE_DIR [OUT_DIR]

BOOK_CODE_DIR holds the book's chapter 2-4 code as the book's repository ships it for chapter 5
(ch05/01_main-chapter-code/previous_chapters.py: GPTModel, generate_text_simple), the-verdict.txt, and an
importable `tiktoken` (OpenAI's tokenizer package). OUT_DIR defaults to packages/testing/fixtures/gpt-tiny.
Writes, in the layout the tests read (@llmfs/testing's fixturePath('gpt-tiny', ...)):
    OUT_DIR/hf/config.json         Hugging Face GPT-2 config (tied head)
    OUT_DIR/hf/model.safetensors   the weights under GPT-2 names, Conv1D weights [in, out], no lm_head
    OUT_DIR/expected.safetensors   logits_last4 = logits[:, -4:, :] of the two-row forward pass
    OUT_DIR/expected.json          config, inputs and the expected loss, greedy ids and AdamW losses
OUT_DIR/openai/ (the same weights as OpenAI's release folder) is made from hf/ by llmfs itself:
    node apps/cli/bin/llmfs.js convert OUT_DIR/hf OUT_DIR/openai --format openai
then encoder.json and vocab.bpe are copied from fixtures/data/gpt2 (see fixtures/gpt-tiny/README.md).
Optional settings (environment): GPT_TINY_SEED (123), GPT_TINY_DTYPE (F32, or F16 to round the weights).
"""
import json, os, struct, sys
import numpy as np
import torch

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
book_dir = sys.argv[1]
out_dir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(REPO, "packages", "testing", "fixtures", "gpt-tiny")
# gpt-tiny: the sizes the tests' tolerances were set for (fixtures/gpt-tiny/README.md)
seed = int(os.environ.get("GPT_TINY_SEED", "123"))
n_layers, emb, heads, ctx, qkv_bias = 2, 32, 4, 32, True
DTYPE = os.environ.get("GPT_TINY_DTYPE", "F32")
PRETRAIN_STEPS = 300
sys.path.insert(0, book_dir)
from previous_chapters import GPTModel, generate_text_simple  # noqa: E402
import tiktoken  # noqa: E402


def write_safetensors(path, tensors, metadata=None, dtype="F32"):
    header, blobs, off = {}, [], 0
    for k in sorted(tensors):
        a = np.ascontiguousarray(tensors[k].detach().cpu().numpy().astype(np.float16 if dtype == "F16" else np.float32))
        b = a.tobytes()
        header[k] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    if metadata:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


cfg = {"vocab_size": 50257, "context_length": ctx, "emb_dim": emb, "n_heads": heads,
       "n_layers": n_layers, "drop_rate": 0.0, "qkv_bias": qkv_bias}
tok = tiktoken.get_encoding("gpt2")
text = open(f"{book_dir}/the-verdict.txt", encoding="utf-8").read()
ids = tok.encode(text)

torch.manual_seed(seed)
model = GPTModel(cfg)
with torch.no_grad():  # GPT-2 style init, then a short tied-weight pretraining so the weights are not degenerate
    for n, p in model.named_parameters():
        if p.dim() >= 2:
            p.normal_(0.0, 0.02)
        elif n.endswith("bias") or n.endswith("shift"):
            p.zero_()
model.out_head.weight = model.tok_emb.weight
pre = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.1)
g = torch.Generator().manual_seed(seed)
for _ in range(PRETRAIN_STEPS):
    starts = torch.randint(0, len(ids) - ctx - 1, (8,), generator=g).tolist()
    xb = torch.tensor([ids[s:s + ctx] for s in starts])
    yb = torch.tensor([ids[s + 1:s + ctx + 1] for s in starts])
    pre.zero_grad()
    torch.nn.functional.cross_entropy(model(xb).flatten(0, 1), yb.flatten()).backward()
    pre.step()
model.out_head.weight = torch.nn.Parameter(model.tok_emb.weight.detach().clone())  # untie: the book's default model
model.eval()
if DTYPE == "F16":
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())

sd = model.state_dict()

hf = {"transformer.wte.weight": sd["tok_emb.weight"], "transformer.wpe.weight": sd["pos_emb.weight"],
      "transformer.ln_f.weight": sd["final_norm.scale"], "transformer.ln_f.bias": sd["final_norm.shift"]}
for i in range(n_layers):
    p, h = f"trf_blocks.{i}.", f"transformer.h.{i}."
    W = [sd[p + f"att.W_{n}.weight"] for n in ("query", "key", "value")]
    hf[h + "attn.c_attn.weight"] = torch.cat(W, 0).T  # Conv1D stores [in, out]
    if qkv_bias:
        hf[h + "attn.c_attn.bias"] = torch.cat([sd[p + f"att.W_{n}.bias"] for n in ("query", "key", "value")])
    else:
        hf[h + "attn.c_attn.bias"] = torch.zeros(3 * emb)
    hf[h + "attn.c_proj.weight"] = sd[p + "att.out_proj.weight"].T
    hf[h + "attn.c_proj.bias"] = sd[p + "att.out_proj.bias"]
    hf[h + "ln_1.weight"], hf[h + "ln_1.bias"] = sd[p + "norm1.scale"], sd[p + "norm1.shift"]
    hf[h + "ln_2.weight"], hf[h + "ln_2.bias"] = sd[p + "norm2.scale"], sd[p + "norm2.shift"]
    hf[h + "mlp.c_fc.weight"] = sd[p + "ff.layers.0.weight"].T
    hf[h + "mlp.c_fc.bias"] = sd[p + "ff.layers.0.bias"]
    hf[h + "mlp.c_proj.weight"] = sd[p + "ff.layers.2.weight"].T
    hf[h + "mlp.c_proj.bias"] = sd[p + "ff.layers.2.bias"]
os.makedirs(os.path.join(out_dir, "hf"), exist_ok=True)
write_safetensors(os.path.join(out_dir, "hf", "model.safetensors"), hf, {"format": "pt"}, DTYPE)
hf_config = {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": cfg["vocab_size"],
             "n_positions": ctx, "n_ctx": ctx, "n_embd": emb, "n_head": heads, "n_layer": n_layers,
             "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new", "resid_pdrop": 0.0,
             "embd_pdrop": 0.0, "attn_pdrop": 0.0, "bos_token_id": 50256, "eos_token_id": 50256,
             "tie_word_embeddings": True}
with open(os.path.join(out_dir, "hf", "config.json"), "w") as f:
    json.dump(hf_config, f, indent=2)

# two rows of ctx tokens for a forward pass, and the next-token targets
batch = torch.tensor([ids[0:ctx], ids[ctx:2 * ctx]])
targets = torch.tensor([ids[1:ctx + 1], ids[ctx + 1:2 * ctx + 1]])
with torch.no_grad():
    logits = model(batch)
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten()).item()
write_safetensors(os.path.join(out_dir, "expected.safetensors"), {"logits_last4": logits[:, -4:, :]})

prompt = tok.encode("Every effort moves you")
gen = generate_text_simple(model, torch.tensor([prompt]), max_new_tokens=12, context_size=ctx)[0].tolist()

# deterministic training: AdamW on fixed consecutive batches (batch 2, stride = ctx), no dropout
model.train()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
train_losses, pos = [], 0
for step in range(6):
    xb = torch.tensor([ids[pos:pos + ctx], ids[pos + ctx:pos + 2 * ctx]])
    yb = torch.tensor([ids[pos + 1:pos + ctx + 1], ids[pos + ctx + 1:pos + 2 * ctx + 1]])
    pos += 2 * ctx
    opt.zero_grad()
    l = torch.nn.functional.cross_entropy(model(xb).flatten(0, 1), yb.flatten())
    l.backward()
    opt.step()
    train_losses.append(l.item())

n_params = sum(p.numel() for p in GPTModel(cfg).parameters())
json.dump({
    "generator": "the book's chapter 2-4 PyTorch code (previous_chapters.py), torch " + torch.__version__,
    "config": cfg, "weights_dtype": DTYPE, "seed": seed, "tied_output_head": "out_head.weight equals tok_emb.weight in value (separate parameters, as the book loads GPT-2)",
    "weights": "GPT-2 style init, then %d tied AdamW steps on the-verdict.txt (random windows)" % PRETRAIN_STEPS,
    "parameter_count_untied": n_params,
    "verdict_token_count": len(ids),
    "forward": {"input_ids": batch.tolist(), "target_ids": targets.tolist(),
                "logits_file": "expected.safetensors", "logits_tensor": "logits_last4 = logits[:, -4:, :] of the full [2, ctx, vocab] output", "logits_shape": list(logits.shape),
                "cross_entropy_loss": loss},
    "generate_greedy": {"prompt": "Every effort moves you", "prompt_ids": prompt, "max_new_tokens": 12,
                        "output_ids": gen, "output_text": tok.decode(gen)},
    "adamw_training": {"lr": 1e-3, "weight_decay": 0.1, "betas": [0.9, 0.999], "eps": 1e-8,
                       "batches": "step k uses rows ids[2k*ctx : 2k*ctx+ctx] and the next ctx; targets shifted by one",
                       "losses_before_each_step": train_losses},
    "files": {"hf/": "Hugging Face GPT-2 directory (config.json + model.safetensors, tied head: no lm_head.weight)",
              "expected.safetensors": "tensor logits_last4 = logits[:, -4:, :] for forward.input_ids"},
}, open(os.path.join(out_dir, "expected.json"), "w"), indent=1)
print("gpt-tiny", "loss", loss, "train", [round(x, 4) for x in train_losses], "gen", tok.decode(gen)[:80])
