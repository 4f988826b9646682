"""Jellyfin server client (the few calls a mirror needs): see :mod:`.client`."""

from app.adapters.jellyfin.client import JellyfinClient, JellyfinServerInfo

__all__ = ["JellyfinClient", "JellyfinServerInfo"]
