"""nn: neural networks built from autograd_mini Values."""
