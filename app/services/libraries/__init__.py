"""Libraries and links: their validated configuration, starting and undoing link runs, ad hoc
links for command-line runs, and the Plex diagnostic."""
