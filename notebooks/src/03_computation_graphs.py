# %% [markdown]
# # 3. Computation graphs: the chain rule you can see
#
# Every `Value` remembers the op that made it, its parents, and the **local derivative** of
# itself with respect to each parent, computed when the op runs. Together they form a graph, and
# `backward()` is one walk over it. This notebook draws that graph with
# `autograd_mini.draw_dot` for
#
# 1. a small expression, before and after `backward()`;
# 2. the same expression with each edge labelled by its local derivative: the chain rule made visible;
# 3. one neuron, and one sample through a small MLP from `nn`;
# 4. a node used twice, and why backpropagation must visit nodes in topological order;
# 5. the graph of a derivative, which can itself be differentiated.
#
# In the pictures, a box with `data` and `grad` is a `Value`; a small grey box is the op that made
# the Value to its right. Green: the output; orange: parameters; blue: other leaves (inputs).

# %%
from autograd_mini import Value, gradients, grad, topological_order
from autograd_mini import draw_dot


def count(graph):
    """(Values, ops) drawn in a graph: Values are records, ops are boxes."""
    body = "".join(graph.body)
    return body.count("shape=record"), body.count("shape=box")

# %% [markdown]
# ## 1. A small expression
#
# $L = (a b + c)\, f$, built one op at a time. Labels are optional; they only name the boxes.

# %%
a, b = Value(2.0, label="a"), Value(-3.0, label="b")
c, f = Value(10.0, label="c"), Value(-2.0, label="f")
e = a * b;  e.label = "e"
d = e + c;  d.label = "d"
L = d * f;  L.label = "L"
draw_dot(L)

# %% [markdown]
# Seven Values (four leaves, three results) and three ops. Every `grad` is still 0: nothing has
# been differentiated yet. `backward()` fills in $\partial L / \partial v$ for every Value $v$:

# %%
L.backward()
graph = draw_dot(L)
assert count(graph) == (7, 3)
assert (a.grad, b.grad, c.grad, f.grad) == (6.0, -4.0, -2.0, 4.0)
graph

# %% [markdown]
# **Step through it.** `explore` makes a page where you run the forward pass and then the
# backward pass one node at a time: at each backward step it highlights the node and its edges
# and shows the chain rule with the numbers (`e.grad += 1 × d.grad = 1.0000 × -2.0000`). Hover
# a node for its op, its local derivatives and the rule's formula; the quiz mode hides the grads
# and asks you for each. Keys: → next step, ← undo. `explore(L, "L.html")` writes the page to a
# file that opens in any browser, offline.

# %%
from autograd_mini import explore

explore(L)

# %% [markdown]
# Check by hand: $L = (ab + c)f$, so $\partial L/\partial a = b f = 6$,
# $\partial L/\partial b = a f = -4$, $\partial L/\partial c = f = -2$ and
# $\partial L/\partial f = ab + c = 4$.
#
# ## 2. The chain rule on the edges
#
# With `edge_labels=True`, the edge from a Value into an op carries the op's **local derivative**
# with respect to that input: for $e = a \times b$ the edge from $a$ says $\partial e/\partial a = b = -3$.
# The chain rule then reads straight off the picture:
#
# $$\frac{\partial L}{\partial v} \;=\; \sum_{\text{edges } v \to u} \frac{\partial u}{\partial v}\,\frac{\partial L}{\partial u}$$
#
# a Value's `grad` is the sum, over its outgoing edges, of the edge label times the `grad` of the
# result the edge leads to. For $a$: $-3 \times -2 = 6$.

# %%
draw_dot(L, edge_labels=True)

# %% [markdown]
# The same rule, checked for every Value of the graph, with the parents and local derivatives
# that every node stores (`node.parents`, `node.local_grads`):

# %%
def check_chain_rule(root):
    """Every Value's grad equals the sum of (local derivative x grad of the result) over its uses."""
    nodes = topological_order(root)
    received = {}
    for node in nodes:
        for parent, local in zip(node.parents, node.local_grads):
            received[parent] = received.get(parent, 0.0) + local * node.grad
    for value, total in received.items():
        assert abs(value.grad - total) < 1e-12, (value, total)
    return len(received)

check_chain_rule(L)

# %% [markdown]
# ## 3. A neuron
#
# A neuron computes $o = \tanh(w_1 x_1 + w_2 x_2 + b)$. Its graph is the same kind of picture;
# `params=` colours the weights and bias as parameters.

# %%
x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
bias = Value(6.8813735870195432, label="b")
n = x1 * w1 + x2 * w2 + bias;  n.label = "n"
o = n.tanh();  o.label = "o"
o.backward()
neuron = draw_dot(o, params=[w1, w2, bias], edge_labels=True)
assert count(neuron) == (10, 5)
neuron

# %% [markdown]
# The `tanh` edge carries $1 - o^2 = 0.5$; every input of a `+` gets that same $0.5$; then each
# weight $w_i$ gets $0.5\, x_i$. So $\partial o/\partial w_1 = (1 - o^2)\, x_1 = 1$, and
# $\partial o/\partial w_2 = 0$ because $x_2 = 0$: a weight on a zero input does not learn.

# %%
assert abs(o.data - 0.7071067811865476) < 1e-12
assert abs(w1.grad - (1 - o.data**2) * x1.data) < 1e-12 and w2.grad == 0.0
check_chain_rule(o)

# %% [markdown]
# ### One sample through a small MLP
#
# `nn` builds the same pictures at scale. An MLP with 2 inputs, a hidden layer of 3 tanh neurons
# and one linear output, and the squared error on one sample. Each `nn` neuron computes its
# weighted sum $\sum_i w_i x_i + b$ as **one** n-ary `Σ` node (fewer nodes than a chain of `+`),
# then its activation. The inputs are Values here only so that they show in the picture; plain
# floats work too and stay out of the graph, like every constant.

# %%
from nn import MLP

model = MLP(2, [3, 1], activation="tanh", seed=0)
x = [Value(0.5, label="x1"), Value(-1.0, label="x2")]
loss = (model(x) - 1.0) ** 2;  loss.label = "loss"
loss.backward()
mlp = draw_dot(loss, params=model.parameters())

# Ops: per neuron, one product per input, one sum and (if not linear) one activation; then - and **.
ops = 3 * (2 + 1 + 1) + (3 + 1) + 2
leaves = len(x) + len(model.parameters())
assert count(mlp) == (leaves + ops, ops)
check_chain_rule(loss)
mlp

# %% [markdown]
# ## 4. Reused nodes and topological order
#
# A Value can feed more than one op, or the same op twice. Take $b = a + a$ and $c = b + b$:
# $c = 4a$, so $\partial c / \partial a = 4$. The engine draws both edges of each `+`
# (parents are an ordered tuple, so `a + a` keeps two edges from `a`), and **adds** the
# contributions of the two edges: `parent.grad += local * node.grad`.

# %%
a = Value(3.0, label="a")
b = a + a;  b.label = "b"
c = b + b;  c.label = "c"
c.backward()
assert a.grad == 4.0 and b.grad == 2.0
reuse = draw_dot(c, edge_labels=True)
assert "".join(reuse.body).count("->") == 6  # two edges into each of two ops, one out of each
reuse

# %% [markdown]
# Why not simply follow every path from the output down to each leaf, multiplying local
# derivatives along the way? That is correct, but the number of paths doubles with each
# doubling layer: a chain of $k$ such layers has $k + 1$ Values and $2^k$ paths.

# %%
def backprop_every_path(node, upstream, calls):
    """Push `upstream` down every path (correct, but one call per path)."""
    calls[0] += 1
    if node.is_leaf:
        node.grad += upstream
    for parent, local in zip(node.parents, node.local_grads):
        backprop_every_path(parent, upstream * local, calls)

x = Value(1.0, label="x")
y = x
for _ in range(10):
    y = y + y
calls = [0]
backprop_every_path(y, 1.0, calls)
assert x.grad == 2**10
print(f"{len(topological_order(y)) + 1} Values, {2**10} paths, {calls[0]} calls")

# %% [markdown]
# The fix is to visit each node **once**, and to pass its gradient on only when it is complete:
# when every op that uses the node has already added its contribution. An order with each node
# after all the nodes that use it is a (reversed) **topological order**; `backward()` sorts the
# graph into one first. Visiting each node once in any other order gives wrong answers. Add
# $d = b + c$, so that $b$ is used directly *and* through $c$:
# $d = 2a + 4a$, $\partial d/\partial a = 6$. A depth-first walk that passes each node's gradient
# on the first time it reaches it, visiting each node once, reaches $b$ directly from $d$ before
# $c$ has added its share to $b$:

# %%
def backprop_depth_first(root):
    """Wrong: pass each node's grad on when first reached, then never again."""
    root.grad, seen, stack = 1.0, set(), [root]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
        stack.extend(reversed(node.parents))  # visit the first parent first

a = Value(3.0, label="a")
b = a + a;  b.label = "b"
c = b + b;  c.label = "c"
d = b + c;  d.label = "d"
backprop_depth_first(d)
wrong = a.grad
a.grad = b.grad = c.grad = 0.0
d.backward()
print(f"depth first: dd/da = {wrong};  topological order: dd/da = {a.grad}")
assert (wrong, a.grad) == (2.0, 6.0)
assert [v.label for v in reversed(topological_order(d))] == ["d", "c", "b"]
draw_dot(d, edge_labels=True)

# %% [markdown]
# In reversed topological order (`d`, `c`, `b`), `b` is reached only after both `d` and `c` have
# added to its gradient ($1 + 2 = 3$), and $a$ receives $2 \times 3 = 6$.
#
# ## 5. The graph of a derivative
#
# With `create_graph=True`, `backward()` builds the gradient out of Values too, using each op's
# derivative formula. For $y = x \sin x$, the gradient
# $y' = \sin x + x \cos x$ becomes a graph of its own, which reuses the forward node $\sin x$:

# %%
x = Value(0.5, label="x")
y = x * x.sin();  y.label = "y"
y.backward(create_graph=True)
dy = x.grad
dy.label = "dy/dx"
assert isinstance(dy, Value)
assert {v.op for v in topological_order(dy)} >= {"sin", "cos", "*", "+"}
draw_dot(dy, show_grad=False)

# %% [markdown]
# Since `dy` is a Value, it can be differentiated again:
# $y'' = 2\cos x - x \sin x$.

# %%
import math

second = gradients(dy)[x]
assert abs(second - (2 * math.cos(0.5) - 0.5 * math.sin(0.5))) < 1e-12
assert abs(grad(grad(lambda t: t * t.sin()))(0.5) - second) < 1e-12
second

# %% [markdown]
# `grad(grad(f))` does the same for a Python function: `grad(f)` returns the derivative as a
# function of Values, so the second `grad` can trace through it.
