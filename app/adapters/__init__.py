"""Adapters: one module per outside system; outside errors are translated into ours here."""
