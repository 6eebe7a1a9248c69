"""The operations: each module holds one family (movement, elementwise, reduce, ...)."""
