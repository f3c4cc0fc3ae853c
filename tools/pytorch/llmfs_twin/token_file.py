"""uint16 token files as @llmfs/data-loader writes them (writeTokenFile): raw little-endian uint16 ids,
no header (nanoGPT's train.bin layout), documents separated by <|endoftext|>.

Windows are those of llmfs's TokenFileDataset / the book's GPTDatasetV1: window i is the
max_length + 1 ids starting at i * stride (inputs its first max_length, targets shifted by one), and
there are ceil((num_tokens - max_length) / stride) of them.
"""
import math
import os

import numpy as np


class TokenFileError(ValueError):
    """A token file that cannot be read as windows; the message names the file."""


class TokenFile:
    """Memory-mapped windows over a token file (only the windows asked for are read)."""

    def __init__(self, path, max_length, stride):
        if not os.path.isfile(path):
            raise TokenFileError(f"{path}: no such file (write one with `llmfs tokenize --file F --out {path}`)")
        size = os.path.getsize(path)
        if size % 2:
            raise TokenFileError(f"{path}: odd size ({size} bytes); not a uint16 token file")
        self.path, self.max_length, self.stride = path, max_length, stride
        self.num_tokens = size // 2
        if self.num_tokens <= max_length:
            raise TokenFileError(
                f"{path}: {self.num_tokens} tokens are too few for one window of {max_length} (need {max_length + 1})"
            )
        self.ids = np.memmap(path, dtype="<u2", mode="r")
        self.num_windows = math.ceil((self.num_tokens - max_length) / stride)

    def window(self, i):
        """The max_length + 1 ids of window i, as int64."""
        start = i * self.stride
        return np.asarray(self.ids[start : start + self.max_length + 1], dtype=np.int64)

    def batch(self, indices, vocab_size):
        """(inputs, targets) int64 arrays [len(indices), max_length] for the given windows."""
        rows = np.stack([self.window(i) for i in indices])
        if rows.max() >= vocab_size:
            raise TokenFileError(f"{self.path}: token id {int(rows.max())} is outside the model's vocabulary ({vocab_size})")
        return rows[:, :-1], rows[:, 1:]
