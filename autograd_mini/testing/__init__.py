"""Tools for testing gradients: gradcheck and hypothesis strategies."""
