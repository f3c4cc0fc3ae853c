"""ddp_train.py end to end: N processes at batch b equal 1 process at batch N * b, and AdamW continues
exactly from the state a run writes. Runs torchrun (gloo, CPU). The 0-step byte identity of a directory
llmfs wrote is checked through ddp_train.py by apps/cli's pytorch-handoff.test.ts; of gpt-tiny's by
test_model_directory.py."""
import os
import shutil
import tempfile
import unittest

import numpy as np

from helpers import GPT_TINY, VERDICT_TOKENS, read_json_lines, run_ddp_train
from llmfs_twin import GPTModel, LoadedModel, load_model_directory, read_safetensors, save_model_directory

# Measured: losses 5e-7 apart, weights 1e-7 (2 gloo processes vs 1, 4 steps, lr 1e-3).
LOSS_ATOL = 1e-5
WEIGHT_ATOL = 1e-5


def weights(directory):
    return read_safetensors(os.path.join(directory, "model.safetensors"))[0]


class DdpTrainTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="llmfs-ddp-")
        # gpt-tiny without qkv bias (the book's pretraining config). With it, the key bias would have a true
        # gradient of exactly 0 (softmax ignores a shift shared by a row), so AdamW turns the rounding noise
        # of its gradient into lr-sized steps that differ between any two summation orders.
        fixture = load_model_directory(os.path.join(GPT_TINY, "hf"))
        cfg = {**fixture.cfg, "qkv_bias": False}
        model = GPTModel(cfg)
        model.load_state_dict({k: v for k, v in fixture.model.state_dict().items() if not k.endswith(("W_query.bias", "W_key.bias", "W_value.bias"))})
        cls.base = os.path.join(cls.dir, "base")
        os.mkdir(cls.base)
        save_model_directory(cls.base, LoadedModel(model, cfg, fixture.config))
        cls.common = ["--tokens", VERDICT_TOKENS, "--context-length", "32", "--lr", "1e-3", "--weight-decay", "0.1"]
        cls.one = cls.train("one", ["--model", cls.base, "--steps", "4", "--batch-size", "2"])

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    @classmethod
    def train(cls, name, args, nproc=None):
        out = os.path.join(cls.dir, name)
        r = run_ddp_train([*cls.common, *args, "--out", out, "--json-log", out + ".jsonl"], nproc=nproc)
        return out, r, [row["loss"] for row in read_json_lines(out + ".jsonl")] if os.path.exists(out + ".jsonl") else []

    def test_two_processes_at_batch_1_equal_one_at_batch_2(self):
        two, r, losses2 = self.train("two", ["--model", self.base, "--steps", "4", "--batch-size", "1"], nproc=2)
        one, _, losses1 = self.one
        self.assertIn("2 process(es) on cpu (gloo), batch 1 each = 2 windows", r.stdout)
        self.assertIn("AdamW starts fresh", r.stdout)
        self.assertEqual(len(losses2), 4)
        self.assertLessEqual(np.abs(np.array(losses2) - np.array(losses1)).max(), LOSS_ATOL)
        start, w1, w2 = weights(self.base), weights(one), weights(two)
        self.assertEqual(list(w1), list(w2))
        gap = max(np.abs(w1[k] - w2[k]).max() for k in w1)
        self.assertLessEqual(gap, WEIGHT_ATOL)
        moved = max(np.abs(w1[k] - start[k]).max() for k in start)
        self.assertGreater(moved, 100 * WEIGHT_ATOL)  # it trained: the gap is small against the steps

    def test_adamw_continues_from_the_state_a_run_wrote(self):
        half, _, first = self.train("half", ["--model", self.base, "--steps", "2", "--batch-size", "2"])
        rest, r, second = self.train("rest", ["--model", half, "--steps", "2", "--batch-size", "2"])
        self.assertIn(f"AdamW continues from {half} (step 2", r.stdout)
        self.assertIn("from window 4", r.stdout)  # the data position of trainer_state.json
        one, _, losses = self.one
        self.assertEqual(first + second, losses)
        w_one, w_rest = weights(one), weights(rest)
        for name in w_one:
            self.assertEqual(w_one[name].tobytes(), w_rest[name].tobytes(), name)

    def test_user_errors_are_one_line(self):
        r = run_ddp_train(
            ["--model", self.base, "--tokens", os.path.join(self.dir, "none.bin"), "--out", os.path.join(self.dir, "x"),
             "--steps", "1", "--batch-size", "1", "--context-length", "32"],
            check=False,
        )
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip().splitlines(), [f"ddp_train.py: {self.dir}/none.bin: no such file (write one with `llmfs tokenize --file F --out {self.dir}/none.bin`)"])
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x")))


if __name__ == "__main__":
    unittest.main()
