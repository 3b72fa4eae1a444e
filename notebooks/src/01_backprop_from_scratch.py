# %% [markdown]
# # 1. Backpropagation from scratch
#
# This notebook derives backpropagation for a feedforward network in the notation of the
# standard write-ups, implements the equations by hand with plain floats, and checks them
# against the same network built from `Value`s with `nn`: the two give the same gradients to
# machine precision, and train to the same outputs.
#
# ## Notation
#
# Layers are numbered $k = 0, 1, \dots, m$: layer $0$ is the input, layer $m$ the output, and
# layer $k$ has $r_k$ nodes.
#
# - $w_{ij}^k$: the weight from node $i$ of layer $k-1$ to node $j$ of layer $k$;
# - $a_j^k = \sum_{i=0}^{r_{k-1}} w_{ij}^k\, o_i^{k-1}$: the **activation** of node $j$ in
#   layer $k$ (the weighted sum of its inputs);
# - $o_j^k = g(a_j^k)$: its **output**, through the activation function $g$; the inputs are
#   $o_i^0 = x_i$, and the output layer uses $g_o$, so the prediction is $\hat y = g_o(a_1^m)$.
#
# The **bias** of node $j$ is folded in as the weight $w_{0j}^k$ from an extra node $0$ whose
# output is fixed at $o_0^{k-1} = 1$; so the sum above starts at $i = 0$ and no separate bias
# term is needed.
#
# For one input–output pair $(\vec x, y)$ the error is the **squared error**
#
# $$E = \tfrac12\,(\hat y - y)^2 .$$
#
# ## The error terms
#
# A weight $w_{ij}^k$ affects $E$ only through the activation $a_j^k$ it feeds, so by the
# chain rule
#
# $$\frac{\partial E}{\partial w_{ij}^k} = \frac{\partial E}{\partial a_j^k}\,\frac{\partial a_j^k}{\partial w_{ij}^k} = \delta_j^k\, o_i^{k-1},
# \qquad\text{with the error term}\qquad \delta_j^k \equiv \frac{\partial E}{\partial a_j^k}.$$
#
# **Output layer.** With one output node, $E = \tfrac12 (g_o(a_1^m) - y)^2$, so
#
# $$\delta^m = (\hat y - y)\, g_o'(a^m).$$
#
# **Hidden layers.** $a_j^k$ affects $E$ through every activation $a_l^{k+1}$ of the next
# layer, and $a_l^{k+1} = \sum_j w_{jl}^{k+1} g(a_j^k)$, so
#
# $$\delta_j^k = \sum_{l=1}^{r_{k+1}} \frac{\partial E}{\partial a_l^{k+1}} \frac{\partial a_l^{k+1}}{\partial a_j^k}
# = g'(a_j^k) \sum_{l=1}^{r_{k+1}} w_{jl}^{k+1}\, \delta_l^{k+1}.$$
#
# The $\delta$s are computed from the output backwards, layer by layer: hence
# *back*propagation. Each uses only the $\delta$s of the layer after it.
#
# **The whole data set.** For $N$ pairs $(\vec x_d, y_d)$ the total error is the mean
# $E = \frac1N \sum_d E_d$, so its gradient is the mean of the per-pair gradients:
#
# $$\frac{\partial E}{\partial w_{ij}^k} = \frac1N \sum_{d=1}^N \frac{\partial E_d}{\partial w_{ij}^k}.$$
#
# **Gradient descent** then moves every parameter $\theta$ a step against its gradient, with
# learning rate $\alpha$:
#
# $$\theta \leftarrow \theta - \alpha\, \frac{\partial E}{\partial \theta}.$$
#
# ## The network: XOR
#
# Two inputs, one hidden layer of two sigmoid nodes, $g(a) = \sigma(a) = 1/(1 + e^{-a})$ with
# $g'(a) = \sigma(a)(1 - \sigma(a))$, and one linear output, $g_o(a) = a$, $g_o' = 1$; so
# $m = 2$, $r_0 = 2$, $r_1 = 2$, $r_2 = 1$. The data are the XOR table:

# %%
import math

from autograd_mini import Value
from nn import MLP, SGD, make_xor, mse

X, Y = make_xor()
for x, y in zip(X, Y):
    print(x, "->", y)
assert [int(x1) ^ int(x2) for x1, x2 in X] == list(Y)

# %% [markdown]
# We start the hand-written network from the same initial weights as an `nn` model, read
# from its `layers`: in `nn`, neuron $j$ of layer $k$ is `model.layers[k-1].neurons[j-1]`,
# its weights `w` are $w_{1j}^k, w_{2j}^k, \dots$ and its bias `b` is $w_{0j}^k$.
# The hand-written weights are a dict per layer, keyed by $(i, j)$, so `w[k][i, j]` is $w_{ij}^k$.

# %%
model = MLP(2, [2, 1], activation="sigmoid", seed=4)  # linear output by default
print(model)

def weights_of(model):
    """w[k][i, j] = w_ij^k, read from an nn.MLP; i = 0 is the bias."""
    w = {}
    for k, layer in enumerate(model.layers, start=1):
        w[k] = {}
        for j, neuron in enumerate(layer.neurons, start=1):
            w[k][0, j] = neuron.b.data
            for i, wi in enumerate(neuron.w, start=1):
                w[k][i, j] = wi.data
    return w

w = weights_of(model)
w

# %% [markdown]
# ## The equations, by hand
#
# The forward pass stores every $a_j^k$ and $o_j^k$ (with $o_0^k = 1$); the backward pass
# computes the $\delta$s from the output back, and the gradient $\delta_j^k o_i^{k-1}$ of every weight.

# %%
def sigmoid(a):
    return 1 / (1 + math.exp(-a))

def sizes(w):
    """r_0, r_1, ..., r_m, read from the weights' indices."""
    m = len(w)
    return [max(i for i, _ in w[1])] + [max(j for _, j in w[k]) for k in range(1, m + 1)]

def forward(w, x):
    """The activations a[k][j] and outputs o[k][j] of every node, o[k][0] = 1."""
    r, m = sizes(w), len(w)
    a, o = {}, {0: {0: 1.0, **{i: xi for i, xi in enumerate(x, start=1)}}}
    for k in range(1, m + 1):
        a[k] = {j: sum(w[k][i, j] * o[k - 1][i] for i in range(r[k - 1] + 1)) for j in range(1, r[k] + 1)}
        g = (lambda t: t) if k == m else sigmoid  # linear output g_o, sigmoid hidden g
        o[k] = {0: 1.0, **{j: g(a[k][j]) for j in a[k]}}
    return a, o

def backward(w, a, o, y):
    """The error terms delta[k][j] and the gradient dE/dw_ij^k of E = 1/2 (y_hat - y)^2."""
    r, m = sizes(w), len(w)
    y_hat = o[m][1]
    delta = {m: {1: (y_hat - y) * 1.0}}  # delta^m = (y_hat - y) g_o'(a^m), g_o' = 1
    for k in range(m - 1, 0, -1):
        delta[k] = {j: sigmoid(a[k][j]) * (1 - sigmoid(a[k][j]))                  # g'(a_j^k)
                       * sum(w[k + 1][j, l] * delta[k + 1][l] for l in range(1, r[k + 1] + 1))
                    for j in range(1, r[k] + 1)}
    grad = {k: {(i, j): delta[k][j] * o[k - 1][i] for (i, j) in w[k]} for k in w}
    return delta, grad

# %% [markdown]
# ## One update, with a large learning rate
#
# One row of the table, $\vec x = (1, 0)$, $y = 1$, and one step of gradient descent with
# $\alpha = 0.8$, large enough that every weight visibly moves. Weights on the input
# $x_2 = 0$ do not move at all: their gradient $\delta_j^1 o_2^0$ is $0$.

# %%
x, y, alpha = X[2], Y[2], 0.8
a, o = forward(w, x)
delta, grad = backward(w, a, o, y)
print(f"y_hat = {o[2][1]:.4f}, y = {y}, E = {0.5 * (o[2][1] - y) ** 2:.4f};  "
      f"delta^2 = {delta[2][1]:.4f}, delta^1 = ({delta[1][1]:.4f}, {delta[1][2]:.4f})\n")
print(f"{'weight':>7} {'before':>9} {'dE/dw':>9} {'after':>9} {'change':>9}")
w_after = {k: {ij: w[k][ij] - alpha * grad[k][ij] for ij in w[k]} for k in w}
for k in w:
    for (i, j) in sorted(w[k]):
        print(f"  w{i}{j}^{k} {w[k][i, j]:9.4f} {grad[k][i, j]:9.4f} "
              f"{w_after[k][i, j]:9.4f} {w_after[k][i, j] - w[k][i, j]:+9.4f}")
assert grad[1][2, 1] == grad[1][2, 2] == 0.0
y_after = forward(w_after, x)[1][2][1]
print(f"\ny_hat on this row: {o[2][1]:.4f} before the step, {y_after:.4f} after (y = {y})")
assert abs(y_after - y) < abs(o[2][1] - y)

# %% [markdown]
# The same step with `Value`s: the error of that row as a graph, `backward()`, and `nn`'s
# `SGD` optimizer, on a copy of the model.
#
# There is more to compare than the result. The $\delta$s are in the graph too: $a_j^k$ is the
# weighted-sum node of neuron $j$ (the input of its sigmoid; for the linear output, the output
# itself), and `backward()` leaves $\partial E/\partial a_j^k = \delta_j^k$ in its `.grad`.

# %%
def copy_of(model):
    twin = MLP(2, [2, 1], activation="sigmoid", seed=0)
    twin.load_state_dict(model.state_dict())
    return twin

one = copy_of(model)
hidden = one.layers[0](x)                  # o_1^1, o_2^1: sigmoid nodes
y_hat = one.layers[1](hidden)              # a^2 = y_hat: the linear output
E = 0.5 * (y_hat - y) ** 2
E.backward()
a1 = [h.parents[0] for h in hidden]         # the sum nodes a_1^1, a_2^1
assert abs(y_hat.grad - delta[2][1]) < 1e-15
assert all(abs(a1[j - 1].grad - delta[1][j]) < 1e-15 for j in (1, 2))

SGD(one.parameters(), lr=alpha).step()
w_engine = weights_of(one)
assert max(abs(w_engine[k][ij] - w_after[k][ij]) for k in w for ij in w[k]) < 1e-15

# %% [markdown]
# ## The gradient over the whole table
#
# By hand: the mean, over the $N = 4$ rows, of each row's gradient. With `Value`s: the mean
# error over the four rows as one graph, and one `backward()`. `nn`'s `mse` is the mean of
# $(\hat y - y)^2$, without the $\tfrac12$, so $E$ is half of it.

# %%
def batch_gradient(w, X, Y):
    """dE/dw_ij^k for E = (1/N) sum_d 1/2 (y_hat_d - y_d)^2."""
    total = {k: {ij: 0.0 for ij in w[k]} for k in w}
    for x, y in zip(X, Y):
        _, grad = backward(w, *forward(w, x), y)
        for k in w:
            for ij in w[k]:
                total[k][ij] += grad[k][ij] / len(X)
    return total

def engine_gradient(model, X, Y):
    """The same, from the Values' grads after backward()."""
    model.zero_grad()
    E = 0.5 * mse([model(x) for x in X], Y)
    E.backward()
    g = {}
    for k, layer in enumerate(model.layers, start=1):
        g[k] = {}
        for j, neuron in enumerate(layer.neurons, start=1):
            g[k][0, j] = neuron.b.grad
            for i, wi in enumerate(neuron.w, start=1):
                g[k][i, j] = wi.grad
    return E.data, g

g_hand = batch_gradient(w, X, Y)
E_engine, g_engine = engine_gradient(model, X, Y)
difference = max(abs(g_hand[k][ij] - g_engine[k][ij]) for k in w for ij in w[k])
print(f"E = {E_engine:.6f};  largest |hand - engine| over the 9 gradients: {difference:.1e}")
assert difference < 1e-12

# %% [markdown]
# The largest difference is rounding, far below $10^{-12}$: the two compute the same
# products, summed in a different order. (The $\delta$s of one row agreed to $10^{-15}$ above.)
#
# ## Training both
#
# Full-batch gradient descent, by hand and with `SGD`, from the same start, with the same
# learning rate:

# %%
alpha, steps = 0.5, 1000

w_hand = {k: dict(w[k]) for k in w}
for _ in range(steps):
    g = batch_gradient(w_hand, X, Y)
    w_hand = {k: {ij: w_hand[k][ij] - alpha * g[k][ij] for ij in w_hand[k]} for k in w_hand}

trained = copy_of(model)
optimizer = SGD(trained.parameters(), lr=alpha)
losses = []
for _ in range(steps):
    optimizer.zero_grad()
    E = 0.5 * mse([trained(x) for x in X], Y)
    E.backward()
    optimizer.step()
    losses.append(E.data)

print(f"E: {losses[0]:.4f} at the start, {losses[-1]:.2e} after {steps} steps\n")
print(f"{'x':>10} {'y':>3} {'by hand':>10} {'nn':>10}")
for x, y in zip(X, Y):
    by_hand, by_nn = forward(w_hand, x)[1][2][1], trained(x).data
    print(f"{x!s:>10} {y:>3} {by_hand:10.6f} {by_nn:10.6f}")
    assert abs(by_hand - by_nn) < 1e-9      # the same network, trained the same way
    assert abs(by_nn - y) < 0.05            # and it has learnt XOR

# %% [markdown]
# The two trainings agree to many digits after a thousand steps, and the network has
# learnt XOR. (Not from every start: from `seed=6`, this small network gets stuck with every
# output near ½, a local minimum of $E$.) A network with no hidden layer could not: XOR is not linearly separable, and the
# hidden sigmoids are what bend the decision boundary.
#
# What the engine adds is generality. The hand-written `backward` above knows this network's
# shape, its activation functions and its loss; `Value.backward()` applies the same chain rule
# to any graph, one local derivative per op, with the $\delta$s appearing as the `grad`s of the
# weighted-sum nodes.
