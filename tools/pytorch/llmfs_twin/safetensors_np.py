"""safetensors with numpy: an 8-byte little-endian header length, a JSON header, raw tensor bytes.

Written the way @llmfs/gpt2-weights writes it (`__metadata__` first, compact JSON padded with spaces to
8 bytes, tensors in the order given), so a file read and written back unchanged is byte-identical.
Float32 only: model directories and optimizer state are F32 in llmfs.
"""
import json
import os
import struct

import numpy as np

_DTYPES = {"F32": np.dtype("<f4")}


class SafetensorsError(ValueError):
    """A file that is not a float32 safetensors file the twin can read."""


def read_safetensors(path):
    """Returns ({name: float32 array}, metadata) in the file's tensor order."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as err:
        raise SafetensorsError(f"{path}: {err.strerror}") from None
    if len(raw) < 8:
        raise SafetensorsError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise SafetensorsError(f"{path}: header length {n} is past the end of the file")
    try:
        header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    except ValueError as err:
        raise SafetensorsError(f"{path}: header is not JSON ({err})") from None
    metadata = header.pop("__metadata__", None)
    data = memoryview(raw)[8 + n :]
    tensors = {}
    for name, info in header.items():
        dtype = _DTYPES.get(info.get("dtype"))
        if dtype is None:
            raise SafetensorsError(f"{path}: tensor {name} is {info.get('dtype')}; the twin reads F32 only")
        start, end = info["data_offsets"]
        shape = tuple(info["shape"])
        if not 0 <= start <= end <= len(data) or end - start != dtype.itemsize * int(np.prod(shape)):
            raise SafetensorsError(f"{path}: tensor {name} has data_offsets {start}..{end} that do not fit")
        tensors[name] = np.frombuffer(data[start:end], dtype=dtype).reshape(shape).copy()
    return tensors, metadata


def safetensors_bytes(tensors, metadata=None):
    """The file's bytes for {name: array} (stored as little-endian float32, in the dict's order)."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, array in tensors.items():
        blob = np.ascontiguousarray(array, dtype=_DTYPES["F32"]).tobytes()
        header[name] = {"dtype": "F32", "shape": list(np.shape(array)), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return b"".join([struct.pack("<Q", len(text)), text, *blobs])


def write_file_atomic(path, data):
    """Writes bytes to a temporary file beside `path`, fsyncs, then renames it into place."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: array} as F32 safetensors, crash-safe."""
    write_file_atomic(path, safetensors_bytes(tensors, metadata))
