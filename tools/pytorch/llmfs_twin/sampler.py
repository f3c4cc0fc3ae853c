"""Which windows each process trains on (DistributedSampler-style, without padding).

The windows form one stream, epoch after epoch (each epoch in file order, or a seeded permutation with
shuffle). Step s consumes the global batch of world_size * batch_size stream positions starting at
skip + s * world_size * batch_size; rank r takes positions r, r + world_size, r + 2 * world_size, ...
of it. So the union over ranks is exactly the batch one process with batch world_size * batch_size
would take, which is what makes N processes at batch b equal to 1 process at batch N * b.
"""
import numpy as np


def epoch_order(num_windows, epoch, shuffle, seed):
    """Window indices of one epoch: file order, or a permutation seeded by (seed, epoch)."""
    if not shuffle:
        return np.arange(num_windows)
    return np.random.default_rng([seed, epoch]).permutation(num_windows)


def rank_windows(step, rank, world_size, batch_size, num_windows, skip=0, shuffle=False, seed=123):
    """The window indices rank `rank` trains on in step `step` (batch_size of them)."""
    first = skip + step * world_size * batch_size
    positions = [first + rank + world_size * j for j in range(batch_size)]
    orders = {}
    out = []
    for p in positions:
        epoch = p // num_windows
        if epoch not in orders:
            orders[epoch] = epoch_order(num_windows, epoch, shuffle, seed)
        out.append(int(orders[epoch][p % num_windows]))
    return out
