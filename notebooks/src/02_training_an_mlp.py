# %% [markdown]
# # 2. Training an MLP
#
# micrograd's demo trains a small multi-layer perceptron to separate two interleaved half-moons:
# a max-margin (hinge) loss with an L2 penalty, plain gradient descent with a decaying learning
# rate, and the accuracy measured on the very points it trained on. Here is the same recipe with
# `nn`, done a little better: a held-out test set, the loss and accuracy curves, and a picture
# of the decision boundary. Then a harder problem, three interleaved spirals, with a softmax
# cross-entropy loss, the Adam optimizer and mini-batches.

# %%
import matplotlib.pyplot as plt

from nn import (MLP, SGD, Adam, LinearDecay, evaluate, fit, make_moons, make_spirals, predict,
                train_test_split)

# %% [markdown]
# ## Two moons
#
# 100 points with a little noise, a quarter of them held out for testing. The labels are the
# classes $0$ and $1$.

# %%
X, y = make_moons(100, noise=0.1, seed=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.25, seed=0)
print(len(X_train), "training points,", len(X_test), "test points")

def scatter(ax, X, y, **style):
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=y, cmap="coolwarm", edgecolors="k", **style)

fig, ax = plt.subplots(figsize=(5, 3.5))
scatter(ax, X_train, y_train, s=30)
scatter(ax, X_test, y_test, s=30, marker="s")
ax.set_title("two moons: circles train, squares test")
plt.show()

# %% [markdown]
# ## The model and the loss
#
# An MLP with two inputs, two hidden layers of 8 ReLU units and one linear output: a
# **score** $s(\vec x)$ whose sign is the predicted class. With targets $t = \pm 1$ (class $c$
# becomes $t = 2c - 1$), the **hinge loss** is zero for points on the right side of the
# boundary by a margin of at least $1$, and grows linearly otherwise; an **L2 penalty** on the
# parameters keeps the weights small:
#
# $$L = \frac1N \sum_{d=1}^N \max\bigl(0,\ 1 - t_d\, s(\vec x_d)\bigr) \;+\; \lambda \sum_\theta \theta^2 .$$
#
# `fit` runs micrograd's loop: each step computes $L$ over the training set, `zero_grad()`,
# `backward()`, and a step of SGD. Its learning rate decays linearly from $1.0$ to $0.1$, as in
# micrograd; here the optimizer and schedule are spelt out rather than left as `fit`'s defaults.

# %%
model = MLP(2, [8, 8, 1], activation="relu", seed=0)
steps = 60
optimizer = SGD(model.parameters(), lr=1.0)
history = fit(model, X_train, y_train, loss="hinge", optimizer=optimizer,
              schedule=LinearDecay(1.0, 0.1, steps), steps=steps, l2=1e-4, progress=False)

train_accuracy = evaluate(model, X_train, y_train, loss="hinge")
test_accuracy = evaluate(model, X_test, y_test, loss="hinge")
print(f"{model}: {len(model.parameters())} parameters")
print(f"loss {history.loss[0]:.3f} -> {history.loss[-1]:.3f};  "
      f"accuracy: train {train_accuracy:.0%}, test {test_accuracy:.0%}")
assert history.loss[-1] < 0.5 * history.loss[0]
assert train_accuracy >= 0.95 and test_accuracy >= 0.9

# %% [markdown]
# `fit` returns a `History`: the loss, the accuracy on the batch and the learning rate at every
# step.

# %%
def curves(history, title):
    fig, axes = plt.subplots(1, 3, figsize=(11, 2.8))
    for ax, values, name in zip(axes, (history.loss, history.accuracy, history.lr),
                                ("loss", "training accuracy", "learning rate")):
        ax.plot(values)
        ax.set_title(name)
        ax.set_xlabel("step")
    fig.suptitle(title)
    fig.tight_layout()
    plt.show()

curves(history, "two moons, hinge loss, SGD")

# %% [markdown]
# ## The decision boundary
#
# The class the model predicts at each point of a grid (`predict` runs the model without
# recording a graph), with the data on top:

# %%
def boundary(model, X, y, loss, title, n=40):
    xs = [min(p[0] for p in X) - 0.5 + i * (max(p[0] for p in X) - min(p[0] for p in X) + 1) / (n - 1)
          for i in range(n)]
    ys = [min(p[1] for p in X) - 0.5 + i * (max(p[1] for p in X) - min(p[1] for p in X) + 1) / (n - 1)
          for i in range(n)]
    classes = predict(model, [[a, b] for b in ys for a in xs], loss=loss)
    grid = [classes[row * n:(row + 1) * n] for row in range(n)]
    fig, ax = plt.subplots(figsize=(5, 3.8))
    ax.contourf(xs, ys, grid, levels=[c - 0.5 for c in range(len(set(y)) + 1)], cmap="coolwarm", alpha=0.35)
    scatter(ax, X, y, s=20)
    ax.set_title(title)
    plt.show()
    return grid

grid = boundary(model, X, y, "hinge", f"two moons: test accuracy {test_accuracy:.0%}")
assert {c for row in grid for c in row} == {0, 1}

# %% [markdown]
# ## Three spirals: more than two classes
#
# Three arms of a spiral, 50 points each. With $K = 3$ classes the model has three outputs, the
# **logits** $z_1, z_2, z_3$; the softmax turns them into probabilities
# $p_c = e^{z_c} / \sum_j e^{z_j}$, and the **cross-entropy** loss is the mean of
# $-\log p_{c_d}$, the surprise at the true class:
#
# $$L = \frac1N \sum_{d=1}^N \Bigl(\log \sum_j e^{z_j(\vec x_d)} - z_{c_d}(\vec x_d)\Bigr).$$
#
# The gradient of each term with respect to the logit $z_j$ is $p_j - [j = c_d]$: the
# predicted probabilities minus the one-hot target. The spirals need a bigger model and more
# steps; to keep each step cheap, each one uses a random **mini-batch** of 32 points, and
# **Adam** adapts the step size of each parameter.

# %%
X, y = make_spirals(150, classes=3, seed=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=0.2, seed=0)

model = MLP(2, [16, 16, 3], activation="relu", seed=0)
history = fit(model, X_train, y_train, loss="cross_entropy",
              optimizer=Adam(model.parameters(), lr=0.05), steps=150, batch_size=32, progress=False)

train_accuracy = evaluate(model, X_train, y_train, loss="cross_entropy")
test_accuracy = evaluate(model, X_test, y_test, loss="cross_entropy")
print(f"{model}: {len(model.parameters())} parameters")
print(f"accuracy: train {train_accuracy:.0%}, test {test_accuracy:.0%}")
assert train_accuracy >= 0.9 and test_accuracy >= 0.85

# %%
curves(history, "three spirals, cross-entropy, Adam, batches of 32")
grid = boundary(model, X, y, "cross_entropy", f"three spirals: test accuracy {test_accuracy:.0%}")
assert {c for row in grid for c in row} == {0, 1, 2}

# %% [markdown]
# The mini-batch loss and accuracy are noisy, since each step sees a different 32 points; the
# trend is what counts. A model this size fits the spirals well; try fewer hidden units, or
# `loss="mse"`, or SGD instead of Adam, and compare the curves.

# %% [markdown]
# ## Trace once, replay fast: `autograd_mini.compile`
#
# Every training step above built a new graph of tens of thousands of `Value`s, with the same
# shape each time: only the numbers changed. `autograd_mini.compile(f, *example_args)` runs `f`
# **once** on Values (a *trace*), keeps the graph as a program, and then runs that program on
# plain numbers. This is what `torch.compile` and `jax.jit` do. Here is the program traced from a
# tiny function, with the python backend: one line per node, each the op's formula from the rule
# table, then one line per edge of the backward pass, in the order `backward()` visits them.

# %%
import autograd_mini as am

def neuron(x, w):
    return am.sum([w[0] * x, w[1]]).tanh()

cf = am.compile(neuron, 0.5, [2.0, -1.0], backend="python")
print(cf.source(grad=True))
value, (dx, dw) = cf.value_and_grad(1.0, [3.0, 0.5], argnums=(0, 1))
print(f"value {value:.6f}, d/dx {dx:.6f}, d/dw {[round(g, 6) for g in dw]}")

xv, wv = am.Value(1.0), [am.Value(3.0), am.Value(0.5)]
out = neuron(xv, wv)
out.backward()
assert (value, dx, dw) == (out.data, xv.grad, [w.grad for w in wv])  # the engine's very numbers

# %% [markdown]
# The numpy backend (the default when numpy is installed) groups the nodes by *level* (one more
# than their deepest input) and op, and runs each group as one array expression: the same
# formulas, on arrays.
#
# A trace records ops, not Python: a branch on a Value's number runs once. So every comparison
# is recorded as a **guard**, checked at each call; when one flips, the function is traced
# again (or, with `on_guard="raise"`, a `GuardError` says which comparison and where). Kinks
# such as `relu` are ops, not branches: they need no guard.

# %%
def branchy(x):
    return x * 2.0 if x > 0 else x * x

cb = am.compile(branchy, 1.0)
print(cb(3.0), cb(-3.0), "retraces:", cb.stats.retraces)
assert (cb(3.0), cb(-3.0)) == (6.0, 9.0)

# %% [markdown]
# `fit(..., compile=True)` traces the batch's loss once and replays it at every step with the
# current parameters: the same losses, step by step, many times faster.

# %%
import time

X, y = make_moons(100, noise=0.1, seed=1)
runs = {}
for compiled in (False, True):
    model = MLP(2, [16, 16, 1], seed=0)
    start = time.perf_counter()
    h = fit(model, X, y, loss="hinge", l2=1e-4, steps=30, compile=compiled, progress=False)
    runs[compiled] = (h.loss, time.perf_counter() - start)
print(f"interpreted {runs[False][1]:.2f} s, compiled {runs[True][1]:.2f} s (trace included)")
assert all(abs(a - b) <= 1e-12 * abs(a) for a, b in zip(runs[False][0], runs[True][0]))
