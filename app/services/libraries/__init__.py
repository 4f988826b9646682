"""Libraries and links: their validated configuration, starting and undoing link runs, and
the Plex diagnostic."""
