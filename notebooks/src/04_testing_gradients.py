# %% [markdown]
# # 4. Testing gradients: gradcheck and property tests
#
# `backward()` gives exact derivatives of what the graph computes. That is not always what you
# meant: a function that leaves the graph halfway (through `.data`, `float()`, a Python `max`)
# or that sits on a kink gets gradients that are wrong without any error. This notebook checks a
# function of our own the way the library checks itself:
#
# 1. `gradcheck(f, inputs)`: the engine's gradient against finite differences at one point;
# 2. a hypothesis property test: the same check at many points, chosen to find a failure and
#    shrunk to the simplest one;
#
# and catches a planted bug with each.
#
# ## Finite differences
#
# The **central difference** estimates a derivative from two evaluations of $f$ alone:
#
# $$f'(x) \approx \frac{f(x + \varepsilon) - f(x - \varepsilon)}{2\varepsilon}.$$
#
# Its truncation error is $O(\varepsilon^2)$; but $f(x \pm \varepsilon)$ are rounded to about
# $10^{-16}$ relative, and dividing by $2\varepsilon$ magnifies that rounding error to
# $O(10^{-16}/\varepsilon)$. Too small an $\varepsilon$ is as bad as too large:

# %%
import math

from autograd_mini import Value
from autograd_mini.testing import GradcheckError, gradcheck, gradgradcheck


def central_difference(f, x, eps):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


f = lambda x: math.exp(math.sin(x))
exact = math.cos(1.0) * math.exp(math.sin(1.0))
errors = {eps: abs(central_difference(f, 1.0, eps) - exact) for eps in (1e-2, 1e-4, 1e-6, 1e-9, 1e-12)}
for eps, err in errors.items():
    print(f"eps = {eps:.0e}   error = {err:.1e}")
assert errors[1e-6] < 1e-8 < errors[1e-12] and errors[1e-6] < errors[1e-2]

# %% [markdown]
# `gradcheck` uses $\varepsilon = 10^{-6}$ and accepts a derivative when
# $|\text{analytic} - \text{numeric}| \le 10^{-5} + 10^{-3}\,|\text{numeric}|$ (PyTorch's defaults).
# It takes a function of Values and the point to check at:

# %%
gradcheck(lambda x, y: (x * y).sin() + x.exp() / y, [0.5, 2.0])

# %% [markdown]
# ## Our function: softplus
#
# $\operatorname{softplus}(x) = \log(1 + e^x)$ is a smooth ReLU, and its derivative is the
# sigmoid: $\operatorname{softplus}'(x) = 1/(1 + e^{-x})$. Written straight from the formula,
# the gradient is right:

# %%
def softplus_naive(x):
    return (1 + x.exp()).log()

assert gradcheck(softplus_naive, [-1.0]) and gradcheck(softplus_naive, [0.7])
softplus_naive(Value(1000.0))

# %% [markdown]
# but $e^{1000}$ overflows, so the value is $\infty$ where it should be $1000$. The usual cure
# is the identity $\operatorname{softplus}(x) = \max(x, 0) + \log(1 + e^{-|x|})$, whose
# exponent is never positive. Here is a first attempt, with a **planted bug**: Python's `max`
# on `x.data`, a float, so the engine sees $\max(x, 0)$ as a constant.

# %%
def softplus_v2(x):
    return max(x.data, 0.0) + (1 + (-abs(x)).exp()).log()  # bug: x.data leaves the graph

softplus_v2(Value(1000.0))

# %% [markdown]
# The value is right now. Checked at a negative point, the gradient is right too (there
# $\max(x, 0) = 0$ really is constant), so one spot check can miss the bug:

# %%
assert gradcheck(softplus_v2, [-1.0])

# %% [markdown]
# At a positive point, `gradcheck` raises `GradcheckError`, with a table of each derivative:
# the engine's, the finite difference, and `<--` on those that disagree. The engine misses the
# $1$ that $\max(x, 0)$ contributes.

# %%
try:
    gradcheck(softplus_v2, [0.7])
except GradcheckError as error:
    caught = error
    print(error)
else:
    caught = None
assert isinstance(caught, GradcheckError), "gradcheck missed the planted bug"

# %% [markdown]
# ## A property test finds the bug without being told where to look
#
# [Hypothesis](https://hypothesis.readthedocs.io) draws inputs from a *strategy*, runs a test
# on each, and when one fails, **shrinks** it to the simplest input that still fails.
# `autograd_mini.testing.values(low, high, avoid=...)` draws floats in a range, keeping a margin
# away from the points in `avoid`: here $0$, where `abs` has a kink and a finite difference
# across it means nothing. (In a test file, this is a plain pytest test; here we call it.)

# %%
from hypothesis import given, settings
from autograd_mini.testing import values

checked = settings(max_examples=50, derandomize=True, database=None, deadline=None)

@checked
@given(values(-20.0, 20.0, avoid=[0.0]))
def test_softplus_v2(x):
    assert gradcheck(softplus_v2, [x])

try:
    test_softplus_v2()
except GradcheckError as error:
    caught = error
    print("\n".join(getattr(error, "__notes__", [])))  # the shrunk input
else:
    caught = None
assert isinstance(caught, GradcheckError), "the property test missed the planted bug"

# %% [markdown]
# Hypothesis reports $x = 1$: of the positive inputs that fail, the simplest. The fix is to stay in the graph: `x.relu()` is
# $\max(x, 0)$ as a Value.

# %%
def softplus_v3(x):
    return x.relu() + (1 + (-abs(x)).exp()).log()

@checked
@given(values(-20.0, 20.0, avoid=[0.0]))
def test_softplus_v3(x):
    assert gradcheck(softplus_v3, [x])

test_softplus_v3()  # passes: no output

# %% [markdown]
# ## The point we avoided
#
# Mathematically, the kinks of $\max(x, 0)$ and $|x|$ at $0$ cancel: softplus is smooth there,
# with slope $\sigma(0) = \tfrac12$. But the engine differentiates each op on its own, with the
# convention $\operatorname{relu}'(0) = |\cdot|'(0) = 0$ (as PyTorch does), so at exactly $0$
# it returns $0$:

# %%
try:
    gradcheck(softplus_v3, [0.0])
except GradcheckError as error:
    caught = error
    print(error)
else:
    caught = None
assert isinstance(caught, GradcheckError)

# %% [markdown]
# A kink that cancels in the math does not cancel in the graph. Branching on the value instead
# picks, at each point, one formula that is smooth there; each branch is differentiated exactly,
# and the gradient is right everywhere, $0$ included:

# %%
def softplus(x):
    if x.data > 0:
        return x + (1 + (-x).exp()).log()
    return (1 + x.exp()).log()

@checked
@given(values(-30.0, 30.0, margin=0.0))
def test_softplus(x):
    assert gradcheck(softplus, [x])
    sigmoid = 1 / (1 + math.exp(-x))
    y = Value(x)
    softplus(y).backward()
    assert abs(y.grad - sigmoid) < 1e-12       # softplus' = sigmoid, to rounding
    assert gradgradcheck(softplus, [x])        # and so is the second derivative

test_softplus()
assert softplus(Value(1000.0)).data == 1000.0 and gradcheck(softplus, [0.0])

# %% [markdown]
# ## Random programs: how the library tests itself
#
# `autograd_mini.testing.expressions(n_inputs)` draws whole straight-line programs from every
# op of the engine, each kept inside its op's domain and away from its kinks at the drawn point.
# The library's own test suite runs this property over hundreds of programs; a handful here:

# %%
from autograd_mini.testing import expressions

seen = []

@settings(max_examples=20, derandomize=True, database=None, deadline=None)
@given(expressions(n_inputs=2, max_ops=5))
def test_random_programs(program):
    seen.append(program)
    assert gradcheck(program, program.inputs)

test_random_programs()
assert len(seen) >= 20
print(max(seen, key=lambda p: len(p.lines)))

# %% [markdown]
# When such a test fails, hypothesis shrinks the program to the fewest, simplest lines that still
# fail, and prints it as code: usually a single line naming the op whose rule is wrong.

# %% [markdown]
# ## One op of your own: `defop`
#
# The branching `softplus` above is right everywhere, but it is a few nodes per call, and a
# reader of its graph sees `exp`, `+` and `log` rather than the function. `autograd_mini.defop`
# makes it one op, the way a row of the library's table is one: a name, the forward on floats,
# and the local derivative of the result with respect to each input, here
# $\operatorname{softplus}'(x) = \sigma(x)$. (The library has a built-in `softplus` row too, so
# ours gets another name.)

# %%
import autograd_mini as am

my_softplus = am.defop(
    "my_softplus",
    lambda a: max(a, 0.0) + math.log1p(math.exp(-abs(a))),  # forward, on floats: no overflow
    lambda a, out: (am.sigmoid(a),),                        # d/da, on floats and on Values
    domain=(-20.0, 20.0),                                   # where random programs may apply it
)

@checked
@given(values(-30.0, 30.0, margin=0.0))
def test_my_softplus(x):
    assert gradcheck(my_softplus, [x]) and gradgradcheck(my_softplus, [x])

test_my_softplus()
sizes = [len(am.topological_order(f(Value(1.0)))) for f in (softplus, my_softplus)]
print(f"softplus(1000) = {my_softplus(Value(1000.0)).data}; nodes: {sizes[0]} as a function, {sizes[1]} as an op")
assert my_softplus(Value(1000.0)).data == 1000.0 and sizes == [5, 1]

# %% [markdown]
# `gradgradcheck` passed because `grads` uses `am.sigmoid`, which takes floats and Values alike:
# for second derivatives the engine calls `grads` again with Values, and the derivative it
# returns is a graph that can be differentiated once more. The same derivative written with
# `math` is right to first order, and past it the engine says what is wrong instead of
# returning a wrong number:

# %%
naive = am.defop("naive_softplus", lambda a: math.log1p(math.exp(a)),
                 lambda a, out: (1 / (1 + math.exp(-a)),))
assert gradcheck(naive, [0.5])
try:
    gradgradcheck(naive, [0.5])
except TypeError as error:
    caught = error
    print(error)
else:
    caught = None
assert isinstance(caught, TypeError)

# %% [markdown]
# The op is one box in a drawing, with its name, and it can join the random programs: name it in
# `ops`, and it is applied only inside the `domain` it was defined with.

# %%
seen = []

@settings(max_examples=20, derandomize=True, database=None, deadline=None)
@given(expressions(n_inputs=2, max_ops=5, ops=[my_softplus, "*", "+", "sin"]))
def test_programs_with_my_softplus(program):
    seen.append(program)
    assert gradcheck(program, program.inputs) and gradgradcheck(program, program.inputs)

test_programs_with_my_softplus()
assert any("my_softplus" in p.ops for p in seen)
print(next(p for p in seen if "my_softplus" in p.ops))

x = Value(0.7, label="x")
loss = my_softplus(x) * x
loss.backward()
am.draw_dot(loss)
