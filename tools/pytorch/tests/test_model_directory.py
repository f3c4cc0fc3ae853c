"""Model directories and optimizer state between llmfs's layout and the twin's, in memory and on disk."""
import json
import os
import shutil
import tempfile
import unittest

import numpy as np
import torch

from helpers import GPT_TINY
from llmfs_twin import (
    GPTModel,
    LoadedModel,
    ModelDirectoryError,
    add_classification_head,
    load_model_directory,
    load_optimizer_state,
    model_tensors,
    read_safetensors,
    save_model_directory,
    save_optimizer_state,
    write_directory_atomic,
)
from llmfs_twin.model_directory import CLASSIFIER_ARCHITECTURE
from llmfs_twin.safetensors_np import write_safetensors

TINY = {"vocab_size": 50, "context_length": 8, "emb_dim": 8, "n_heads": 2, "n_layers": 2, "drop_rate": 0.0}


def bytes_of(tensors):
    return {k: v.tobytes() for k, v in tensors.items()}


class ModelDirectoryTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="llmfs-twin-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_gpt_tiny_tensors_come_back_byte_identical(self):
        src, _ = read_safetensors(os.path.join(GPT_TINY, "hf", "model.safetensors"))
        out = model_tensors(load_model_directory(os.path.join(GPT_TINY, "hf")))
        self.assertNotIn("lm_head.weight", out)  # still tied: the head equals wte
        self.assertEqual(sorted(out), sorted(src))
        self.assertEqual(bytes_of(out), bytes_of(src))

    def test_qkv_split_and_conv1d_transpose(self):
        loaded = load_model_directory(os.path.join(GPT_TINY, "hf"))
        src, _ = read_safetensors(os.path.join(GPT_TINY, "hf", "model.safetensors"))
        att = loaded.model.trf_blocks[1].att
        c_attn = src["transformer.h.1.attn.c_attn.weight"]  # [in, 3 * out], columns q | k | v
        self.assertTrue(np.array_equal(att.W_key.weight.detach().numpy(), c_attn[:, 32:64].T))
        self.assertTrue(np.array_equal(att.W_value.bias.detach().numpy(), src["transformer.h.1.attn.c_attn.bias"][64:]))
        fc = loaded.model.trf_blocks[0].ff.layers[0].weight.detach().numpy()
        self.assertTrue(np.array_equal(fc, src["transformer.h.0.mlp.c_fc.weight"].T))

    def test_untied_head_and_no_qkv_bias_round_trip(self):
        cfg = {**TINY, "qkv_bias": False}
        torch.manual_seed(1)
        model = GPTModel(cfg)
        config = {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "note": "kept"}
        save_model_directory(self.dir, LoadedModel(model, cfg, config))
        saved, meta = read_safetensors(os.path.join(self.dir, "model.safetensors"))
        self.assertEqual(meta, {"format": "pt"})
        self.assertTrue(np.array_equal(saved["lm_head.weight"], model.out_head.weight.detach().numpy()))
        self.assertEqual(saved["transformer.h.1.attn.c_attn.bias"].tolist(), [0.0] * 24)  # GPT-2's slot, zeros
        # the order llmfs writes: gpt2Mapping (head last), then the zero c_attn biases
        self.assertEqual(list(saved)[:3], ["transformer.wte.weight", "transformer.wpe.weight", "transformer.h.0.ln_1.weight"])
        self.assertEqual(list(saved)[-3:], ["lm_head.weight", "transformer.h.0.attn.c_attn.bias", "transformer.h.1.attn.c_attn.bias"])
        with open(os.path.join(self.dir, "config.json"), encoding="utf-8") as f:
            written = json.load(f)
        self.assertEqual(written["llmfs"], {"qkv_bias": False, "drop_rate": 0.0, "context_length": 8})
        self.assertEqual((written["tie_word_embeddings"], written["note"]), (False, "kept"))
        back = load_model_directory(self.dir)
        self.assertEqual(back.cfg, cfg)
        for (name, a), (_, b) in zip(model.state_dict().items(), back.model.state_dict().items()):
            self.assertTrue(torch.equal(a, b), name)

    def test_classifier_directory(self):
        cfg = {**TINY, "qkv_bias": True}
        model = add_classification_head(GPTModel(cfg), 2)
        config = {"architectures": [CLASSIFIER_ARCHITECTURE], "num_labels": 2, "id2label": {"0": "not spam", "1": "spam"}}
        save_model_directory(self.dir, LoadedModel(model, cfg, config, num_classes=2, head_bias=True))
        saved, _ = read_safetensors(os.path.join(self.dir, "model.safetensors"))
        self.assertEqual(list(saved)[-2:], ["score.weight", "score.bias"])
        self.assertEqual(saved["score.weight"].shape, (2, 8))
        self.assertNotIn("lm_head.weight", saved)
        back = load_model_directory(self.dir)
        self.assertEqual((back.num_classes, back.head_bias), (2, True))
        x = torch.tensor([[1, 2, 3]])
        with torch.no_grad():
            self.assertTrue(torch.equal(model.eval()(x), back.model.eval()(x)))

    def test_optimizer_state_round_trip_continues_identically(self):
        cfg = {**TINY, "qkv_bias": True}
        torch.manual_seed(2)
        x, y = torch.randint(0, 50, (2, 8)), torch.randint(0, 50, (2, 8))

        def step(model, opt):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x).flatten(0, 1), y.flatten()).backward()
            opt.step()

        a = GPTModel(cfg)
        b = GPTModel(cfg)
        b.load_state_dict(a.state_dict())
        opt_a = torch.optim.AdamW(a.parameters(), lr=1e-2, weight_decay=0.1)
        for _ in range(2):
            step(a, opt_a)
        save_optimizer_state(self.dir, opt_a, a, cfg, step_count=2)
        saved, meta = read_safetensors(os.path.join(self.dir, "training_state.safetensors"))
        self.assertEqual(meta, {"format": "pt", "llmfs": "adamw-state"})
        key = saved["trf_blocks.0.att.W_key.weight.exp_avg"]  # llmfs layout [in, out]
        self.assertEqual(key.shape, (8, 8))
        m_key = opt_a.state[a.trf_blocks[0].att.W_key.weight]["exp_avg"].numpy()
        self.assertTrue(np.array_equal(key, m_key.T))
        self.assertEqual(saved["out_head.weight.exp_avg"].shape, (8, 50))
        self.assertEqual((float(saved["tok_emb.weight.step"]), float(saved["__adamw__.step_count"])), (2.0, 2.0))

        b.load_state_dict(a.state_dict())
        opt_b = torch.optim.AdamW(b.parameters(), lr=1e-2, weight_decay=0.1)
        self.assertEqual(load_optimizer_state(opt_b, b, self.dir), 2)
        step(a, opt_a)
        step(b, opt_b)
        for (name, pa), (_, pb) in zip(a.named_parameters(), b.named_parameters()):
            self.assertTrue(torch.equal(pa, pb), name)

    def test_optimizer_state_with_the_old_fused_qkv_names_loads(self):
        # llmfs wrote att.qkv.* moments (columns q | k | v) before it had W_query, W_key, W_value
        cfg = {**TINY, "qkv_bias": True}
        model = GPTModel(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        model(torch.tensor([[1, 2]])).sum().backward()
        opt.step()
        save_optimizer_state(self.dir, opt, model, cfg, step_count=1)
        path = os.path.join(self.dir, "training_state.safetensors")
        saved, meta = read_safetensors(path)
        old = {}
        for key, value in saved.items():
            if ".att.W_" not in key:
                old[key] = value
            elif ".att.W_query." in key:
                prefix, rest = key.split("W_query.", 1)
                parts = [saved[f"{prefix}{w}.{rest}"] for w in ("W_query", "W_key", "W_value")]
                old[f"{prefix}qkv.{rest}"] = parts[0] if rest.endswith(".step") else np.concatenate(parts, axis=-1)
        write_safetensors(path, old, meta)
        fresh = torch.optim.AdamW(model.parameters(), lr=1e-3)
        self.assertEqual(load_optimizer_state(fresh, model, self.dir), 1)
        key = model.trf_blocks[1].att.W_key.weight
        self.assertTrue(torch.equal(fresh.state[key]["exp_avg"], opt.state[key]["exp_avg"]))
        value_bias = model.trf_blocks[0].att.W_value.bias
        self.assertTrue(torch.equal(fresh.state[value_bias]["exp_avg_sq"], opt.state[value_bias]["exp_avg_sq"]))

    def test_optimizer_state_for_a_frozen_parameter_is_refused(self):
        cfg = {**TINY, "qkv_bias": True}
        model = GPTModel(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
        opt.zero_grad()
        model(torch.tensor([[1, 2]])).sum().backward()
        opt.step()
        save_optimizer_state(self.dir, opt, model, cfg, step_count=1)
        fewer = torch.optim.AdamW([p for n, p in model.named_parameters() if n != "pos_emb.weight"], lr=1e-3)
        with self.assertRaisesRegex(ValueError, r"training_state\.safetensors: moments for pos_emb\.weight"):
            load_optimizer_state(fewer, model, self.dir)

    def test_errors_name_the_file(self):
        with self.assertRaisesRegex(ModelDirectoryError, r"config\.json: no such file"):
            load_model_directory(self.dir)
        shutil.copy(os.path.join(GPT_TINY, "hf", "config.json"), self.dir)
        with open(os.path.join(self.dir, "model.safetensors"), "wb") as f:
            f.write(b"\x04\x00\x00\x00\x00\x00\x00\x00{}  ")
        with self.assertRaisesRegex(ModelDirectoryError, r"model\.safetensors: missing tensor transformer\.wte\.weight"):
            load_model_directory(self.dir)

    def test_write_directory_atomic_leaves_nothing_on_failure(self):
        final = os.path.join(self.dir, "out")

        def fill(tmp):
            with open(os.path.join(tmp, "config.json"), "w") as f:
                f.write("{}")
            raise OSError("disk full")

        with self.assertRaisesRegex(OSError, "disk full"):
            write_directory_atomic(final, fill)
        self.assertEqual(os.listdir(self.dir), [])
        write_directory_atomic(final, lambda tmp: open(os.path.join(tmp, "a"), "w").close())
        self.assertEqual(os.listdir(final), ["a"])


if __name__ == "__main__":
    unittest.main()
