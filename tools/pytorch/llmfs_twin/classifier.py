"""Chapter 6: a GPT turned into a classifier (new out_head, most of the model frozen)."""
import torch
from torch import nn


def add_classification_head(model, num_classes, seed=123):
    """Replaces out_head by Linear(emb_dim, num_classes) with a bias, as the book does."""
    if not isinstance(num_classes, int) or num_classes < 2:
        raise ValueError(f"num_classes must be an integer >= 2, got {num_classes!r}")
    torch.manual_seed(seed)
    model.out_head = nn.Linear(model.cfg["emb_dim"], num_classes)
    return model


def freeze_for_classification(model, trainable_blocks=1):
    """The book's freezing: everything off, then the last block(s), final_norm and out_head on."""
    for p in model.parameters():
        p.requires_grad = False
    for block in list(model.trf_blocks)[-trainable_blocks:] if trainable_blocks > 0 else []:
        for p in block.parameters():
            p.requires_grad = True
    for module in (model.final_norm, model.out_head):
        for p in module.parameters():
            p.requires_grad = True
    return model


def calc_loss_batch_classifier(input_batch, target_batch, model):
    """Cross-entropy on the last token's logits (the book's calc_loss_batch of chapter 6)."""
    logits = model(input_batch)[:, -1, :]
    return torch.nn.functional.cross_entropy(logits, target_batch)
