"""A Subsonic / OpenSubsonic server as a ratings and playlists peer (the ``subsonic`` kind)."""
