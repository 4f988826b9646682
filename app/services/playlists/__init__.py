"""The playlists sync (Plex playlists and M3U files): sides, matching, planning, the journal
and undo, review, job kinds and ad hoc runs."""
