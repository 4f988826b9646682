"""Turning another tool's configuration file into saved Crossfade libraries and links."""
