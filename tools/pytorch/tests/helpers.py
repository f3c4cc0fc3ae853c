"""Paths and small helpers shared by the twin's tests (run: python3 -m unittest discover -s tools/pytorch/tests)."""
import json
import os
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TWIN_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(TWIN_DIR))
GPT_TINY = os.path.join(REPO, "packages", "testing", "fixtures", "gpt-tiny")
# GPT-2 ids of the-verdict.txt, written by `llmfs tokenize --file the-verdict.txt --out ...`
VERDICT_TOKENS = os.path.join(HERE, "fixtures", "the-verdict.gpt2.bin")
DDP_TRAIN = os.path.join(TWIN_DIR, "ddp_train.py")

sys.path.insert(0, TWIN_DIR)


def gpt_tiny_expected():
    with open(os.path.join(GPT_TINY, "expected.json"), encoding="utf-8") as f:
        return json.load(f)


# torchrun of torch < 2.0 on Python >= 3.11 fails on its default `--redirects 0 --tee 0` ("'NoneType'
# object has no attribute 'get'": Std.from_str no longer finds the zero flag); stderr redirected and teed
# to the console avoids it and changes nothing else.
TORCHRUN_PY311_FIX = ["--redirects", "2", "--tee", "2"]


def run_ddp_train(args, nproc=None, check=True):
    """Runs ddp_train.py, under torchrun with `nproc` processes when given; returns the finished process."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1"}
    launcher = [sys.executable]
    if nproc is not None:
        launcher += ["-m", "torch.distributed.run", "--nproc_per_node", str(nproc), "--master_port", str(free_port())]
        launcher += TORCHRUN_PY311_FIX
    r = subprocess.run([*launcher, DDP_TRAIN, *args], capture_output=True, text=True, env=env, timeout=300)
    if check and r.returncode != 0:
        raise AssertionError(f"ddp_train.py {' '.join(args)} exited {r.returncode}:\n{r.stdout}\n{r.stderr}")
    return r


def free_port():
    """A TCP port free right now (torchrun's default 29500 may be taken by another run)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def read_json_lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]
