"""Playlists as values: M3U parsing and rendering, and diffs between two orders."""
