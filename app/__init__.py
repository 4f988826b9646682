"""Crossfade: keep a music and movie collection consistent across Plex, Jellyfin and disk."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("crossfade")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+source"
