"""The movie mirror (Jellyfin and Plex layouts): sync, diff, plan, its JSON documents and job
kind."""
