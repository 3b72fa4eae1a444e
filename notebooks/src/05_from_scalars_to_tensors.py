# %% [markdown]
# # 5. From scalars to tensors
#
# Everything so far ran on scalars: one `Value` per number, one node per operation. That is the
# clearest way to see backpropagation, and the slowest way to train. The step to a tensor library
# such as PyTorch need not be a rewrite: a model of `nn` *is* a `torch.nn.Sequential` written with
# scalars, and `nn.to_torch` and `nn.from_torch` move it across with the very same weights.
# This notebook moves the trained demo model to PyTorch, checks that both frameworks compute the
# same outputs, loss and gradients, writes one training step in each, times them, and ends with
# what changes when the data no longer fits one machine.
#
# It needs PyTorch: `pip install torch==2.13.0` (the version this project tests against; on Linux,
# add `--index-url https://download.pytorch.org/whl/cpu` for the CPU-only wheel), or the
# `autograd_mini[torch]` extra.

# %%
import time

import torch

from nn import (MLP, SGD, LinearDecay, compare, evaluate, fit, from_torch, hinge, l2_penalty, make_moons,
                to_torch)
from nn.torch import torch_loss

# %% [markdown]
# ## The demo model
#
# `python -m nn`'s model: an MLP 2→16→16→1 with ReLU, trained on 100 two-moons points with the
# hinge loss, an L2 penalty of $10^{-4}$ and SGD whose learning rate falls from 1.0 to 0.1 over 100
# steps. With the same seeds, these are the weights the command line saves in `out/model.json`.

# %%
X, y = make_moons(100, seed=0)
model = MLP(2, [16, 16, 1], seed=0)
fit(model, X, y, loss="hinge", optimizer=SGD(model.parameters(), lr=1.0), schedule=LinearDecay(1.0, 0.1, 100),
    steps=100, l2=1e-4, progress=False)
print(model, f"train accuracy {evaluate(model, X, y):.0%}")

# %% [markdown]
# ## To PyTorch
#
# A layer of neurons is a `Linear` layer: row $j$ of its weight matrix holds neuron $j$'s weights
# $w_{j1}, \dots, w_{jn}$ and entry $j$ of its bias vector the neuron's $b_j$, so that the layer
# computes all its neurons at once, for a whole batch $X$ (one example per row):
# $XW^\top + b$. The activation becomes a module after it.

# %%
net = to_torch(model)  # float64 by default: every weight copied exactly
print(net)
neuron = model.layers[0].neurons[3]
print("neuron 3 of layer 0:", [w.data for w in neuron.w], neuron.b.data)
print("row 3 of net[0]:    ", net[0].weight[3].tolist(), net[0].bias[3].item())
assert net[0].weight[3].tolist() == [w.data for w in neuron.w]

# %% [markdown]
# ## The same numbers
#
# `compare` runs both models on the 100 points, computes the loss (with the same L2 term) and
# every parameter's gradient in each, and prints the largest difference per layer: absolute, and
# relative to the largest number compared.

# %%
comparison = compare(model, net, X, y, loss="hinge", l2=1e-4)
assert comparison.max_abs < 1e-12 and comparison.max_rel < 1e-12

# %% [markdown]
# The weights agree exactly; the rest to about $10^{-16}$, the spacing of float64 numbers near 1.
# The formulas are the same, but not the order of the additions: a `Value` sum adds its inputs one
# by one, PyTorch's matrix product in blocks, and floating-point addition is not associative, so
# the last bit may differ.
#
# In float32, PyTorch's default, every weight is rounded to 24 bits when it moves, and the
# differences grow to about $10^{-7}$: the same model, to the precision the GPU usually trains in.

# %%
comparison32 = compare(model, to_torch(model, dtype=torch.float32), X, y, loss="hinge", l2=1e-4)
assert 1e-9 < comparison32.max_rel < 1e-5

# %% [markdown]
# ## One training step, twice
#
# The same step of SGD with the same loss, from the same starting weights: first with Values, one
# graph node per multiplication; then with tensors, one node per matrix operation. `torch_loss`
# is nn's hinge loss written on tensors (`nn.torch.TORCH_LOSSES` holds one per objective of
# `nn.objectives`), so both minimize the very same number.

# %%
def nn_step(model, X, y, lr):
    scores = [model(x) for x in X]
    loss = hinge(scores, [2 * c - 1 for c in y]) + l2_penalty(model.parameters(), 1e-4)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad
    return loss.data


def torch_step(net, X, y, lr):
    loss = torch_loss("hinge", net(X), y) + 1e-4 * sum((p * p).sum() for p in net.parameters())
    net.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in net.parameters():
            p -= lr * p.grad
    return loss.item()

# %% [markdown]
# Ten steps of each from a fresh model, each step timed; the median step is the speed (a shared
# machine makes some steps slow). Two things keep the race fair. PyTorch runs on one thread, as
# Python does (on a model this small, threads cost more than they save). And the garbage collector
# is paused during each step, as `fit` does: a step of Values allocates some 40,000 nodes, and
# each collection they trigger walks every object alive, the 170,000 that come with PyTorch
# included, which would make the Value step several times slower for no fault of its own.

# %%
import gc

torch.set_num_threads(1)

def timed(step, model, X, y, steps):
    times = []
    for k in range(steps):
        gc.disable()
        start = time.perf_counter()
        loss = step(model, X, y, lr=0.5)
        times.append(time.perf_counter() - start)
        gc.enable()
    return loss, sorted(times)[steps // 2]

fresh = MLP(2, [16, 16, 1], seed=1)
fresh_net = to_torch(fresh)
X_t, y_t = torch.tensor(X, dtype=torch.float64), torch.tensor(y)
nn_loss, nn_seconds = timed(nn_step, fresh, X, y, 10)
torch_loss_value, torch_seconds = timed(torch_step, fresh_net, X_t, y_t, 10)
print(f"loss after 10 steps: nn {nn_loss:.12f}, torch {torch_loss_value:.12f}")
print(f"one step on 100 points: nn {nn_seconds * 1e3:.1f} ms, torch {torch_seconds * 1e3:.2f} ms "
      f"({nn_seconds / torch_seconds:.0f}x faster)")
assert compare(fresh, fresh_net, X, y, loss="hinge", l2=1e-4, show=False).max_abs < 1e-10

# %% [markdown]
# Both trained to the same weights (to $10^{-10}$: ten steps of round-off). The tensor step is
# tens of times faster, and the gap widens with the data: a `Value` step costs about the same per
# example whatever the batch, while a tensor step on this small model is mostly fixed overhead
# (Python calling into PyTorch, a few dozen operations), so a batch 100 times larger costs PyTorch
# only a few times more:

# %%
for n in (100, 1_000, 10_000):
    X_big, y_big = make_moons(n, seed=0)
    X_big, y_big = torch.tensor(X_big, dtype=torch.float64), torch.tensor(y_big)
    _, seconds = timed(torch_step, to_torch(MLP(2, [16, 16, 1], seed=1)), X_big, y_big, 10)
    print(f"{n:6,} points: torch {seconds * 1e3:5.2f} ms per step; nn about {nn_seconds * n / 100:6.3f} s "
          "(its time per point, measured above, times n)")

# %% [markdown]
# ## And back
#
# A model trained in PyTorch comes back as an `nn.MLP`, weights copied exactly, to be drawn,
# inspected neuron by neuron, or saved with `model.save` as before. `from_torch` also reads a
# `state_dict()` when given the model's `config()`, since a state_dict holds no activations.

# %%
back = from_torch(fresh_net)
# nn's parameters(): each neuron's weights, then its bias; layer by layer
numbers = [x for layer in (fresh_net[0], fresh_net[2], fresh_net[4])
           for row, b in zip(layer.weight.tolist(), layer.bias.tolist()) for x in (*row, b)]
assert [p.data for p in back.parameters()] == numbers
assert [p.data for p in from_torch(fresh_net.state_dict(), config=back.config()).parameters()] == numbers
print(back, f"accuracy {evaluate(back, X, y):.0%}, as the nn model trained alongside: {evaluate(fresh, X, y):.0%}")

# %% [markdown]
# What has no `nn` equivalent is refused with the layer named, not approximated:

# %%
try:
    from_torch(torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Dropout(0.1), torch.nn.Linear(16, 1)))
except ValueError as e:
    print("ValueError:", e)

# %% [markdown]
# ## When the data no longer fits one machine
#
# Nothing above changes in kind when the data grows; what changes is where it lives. Two pieces
# of PyTorch take over from the lists of points used here (not run in this notebook):
#
# - A `torch.utils.data.DataLoader` reads a `Dataset` (anything with `__len__` and
#   `__getitem__`, often reading from disk) in shuffled mini-batches, with worker processes
#   loading the next batch while the model trains on this one: `fit(..., batch_size=32)` for data
#   that never sits in memory at once.
# - `torch.nn.parallel.DistributedDataParallel` runs one copy of the model per GPU or machine,
#   each on its own share of every batch (a `DistributedSampler` splits the data), and averages
#   the gradients across them after `backward()`, so that every copy takes the same step.
#
# ```python
# import torch.distributed as dist
# from torch.nn.parallel import DistributedDataParallel
# from torch.utils.data import DataLoader, TensorDataset
# from torch.utils.data.distributed import DistributedSampler
#
# dist.init_process_group("gloo")  # one process per worker, started by torchrun
# data = TensorDataset(X_t, y_t)
# loader = DataLoader(data, batch_size=32, sampler=DistributedSampler(data))
# ddp = DistributedDataParallel(to_torch(model))
# optimizer = torch.optim.SGD(ddp.parameters(), lr=0.1)
# for epoch in range(10):
#     loader.sampler.set_epoch(epoch)  # a different shuffle each epoch
#     for xb, yb in loader:
#         loss = torch_loss("hinge", ddp(xb), yb)
#         optimizer.zero_grad()
#         loss.backward()  # the gradients are averaged over every worker here
#         optimizer.step()
# ```
#
# Started with `torchrun --nproc_per_node=4 train.py`, each of the four processes sees a quarter of
# every epoch, and the model they share is still the one this course built from scalars: a chain of
# weighted sums and activations, differentiated by the chain rule in topological order.
