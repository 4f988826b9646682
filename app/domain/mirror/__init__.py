"""The movie mirror as values: Plex and Jellyfin naming, the plan, and the index a run leaves."""
