"""Greedy generation with a KV cache (the book's chapter 4 bonus, gpt_with_kv_cache.py), on the twin's
GPTModel without changing it: each block's attention runs here on its own W_query/W_key/W_value, keeping
the keys and values of earlier positions, so a new token costs one position's work, as in llmfs's
`generate` with `useCache`.
"""
import torch


def _attention_cached(att, x, cache):
    """att: the twin's MultiHeadAttention; x [b, T, d_in] new positions; cache: {"k", "v"} or empty."""
    b, num_tokens, _ = x.shape

    def heads(t):  # [b, T, d_out] -> [b, H, T, head_dim]
        return t.view(b, num_tokens, att.num_heads, att.head_dim).transpose(1, 2)

    queries, keys, values = heads(att.W_query(x)), heads(att.W_key(x)), heads(att.W_value(x))
    if cache:
        keys = torch.cat([cache["k"], keys], dim=2)
        values = torch.cat([cache["v"], values], dim=2)
    cache["k"], cache["v"] = keys, values
    offset = keys.shape[2] - num_tokens
    scores = queries @ keys.transpose(2, 3)  # [b, H, T, offset + T]
    if num_tokens > 1:
        future = att.mask.bool()[offset : offset + num_tokens, : offset + num_tokens]
        scores.masked_fill_(future, -torch.inf)
    weights = torch.softmax(scores / keys.shape[-1] ** 0.5, dim=-1)
    ctx = (weights @ values).transpose(1, 2).contiguous().view(b, num_tokens, att.d_out)
    return att.out_proj(ctx)


def _forward_cached(model, idx, caches, offset):
    """Logits of the last new position [b, vocab] for idx [b, T] at positions offset.. (eval mode)."""
    pos = torch.arange(offset, offset + idx.shape[1])
    x = model.tok_emb(idx) + model.pos_emb(pos)
    for block, cache in zip(model.trf_blocks, caches):
        x = x + _attention_cached(block.att, block.norm1(x), cache)
        x = x + block.ff(block.norm2(x))
    return model.out_head(model.final_norm(x[:, -1:, :]))[:, -1, :]


@torch.no_grad()
def generate_text_cached(model, idx, max_new_tokens):
    """Greedy decoding with a KV cache; the same ids as generate_text_simple while the context fits."""
    caches = [{} for _ in model.trf_blocks]
    logits = _forward_cached(model, idx, caches, 0)
    for i in range(max_new_tokens):
        nxt = torch.argmax(logits, dim=-1, keepdim=True)
        idx = torch.cat((idx, nxt), dim=1)
        if i == max_new_tokens - 1 or idx.shape[1] >= model.pos_emb.num_embeddings:
            break
        logits = _forward_cached(model, nxt, caches, idx.shape[1] - 1)
    return idx
