"""One run of a playlists link, stage by stage: pairing playlists, matching entries, planning
each pair, the writes and their write-ahead journal."""
