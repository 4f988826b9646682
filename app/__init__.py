"""Crossfade: keep a music and movie collection consistent across Plex, Jellyfin and disk."""

# The one place the version is written: pyproject.toml reads it from here
# ([tool.setuptools.dynamic]), and every command reads it without importlib.metadata, which
# alone costs a sixth of the command line's start-up.
__version__ = "0.1.0"
