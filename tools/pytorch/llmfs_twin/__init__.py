"""llmfs_twin: the book's GPT in PyTorch, for benchmarks and for handing llmfs model directories to
PyTorch DistributedDataParallel and back. Never imported by the TypeScript packages."""
from .classifier import add_classification_head, calc_loss_batch_classifier, freeze_for_classification
from .kv_cache import generate_text_cached
from .model import GPT_CONFIG_124M, GPTModel, generate_text_simple, gpt2_config
from .model_directory import (
    LoadedModel,
    ModelDirectoryError,
    load_model_directory,
    model_tensors,
    save_model_directory,
    write_directory_atomic,
)
from .optimizer_state import has_optimizer_state, load_optimizer_state, save_optimizer_state
from .safetensors_np import read_safetensors, write_safetensors
from .sampler import rank_windows
from .token_file import TokenFile, TokenFileError
from .training import calc_loss_batch

__all__ = [
    "GPT_CONFIG_124M",
    "GPTModel",
    "LoadedModel",
    "ModelDirectoryError",
    "TokenFile",
    "TokenFileError",
    "add_classification_head",
    "calc_loss_batch",
    "calc_loss_batch_classifier",
    "freeze_for_classification",
    "generate_text_cached",
    "generate_text_simple",
    "gpt2_config",
    "has_optimizer_state",
    "load_model_directory",
    "load_optimizer_state",
    "model_tensors",
    "rank_windows",
    "read_safetensors",
    "save_model_directory",
    "save_optimizer_state",
    "write_directory_atomic",
    "write_safetensors",
]
