"""MediaMonkey 4 and 5, through their own SQLite database (``MM.DB``, ``MM5.DB``)."""

from app.adapters.mediamonkey.database import MMDatabase, MMPlaylist, MMTrack
from app.adapters.mediamonkey.safety import backups, running_mediamonkey
from app.adapters.mediamonkey.schema import SchemaReport

__all__ = ["MMDatabase", "MMPlaylist", "MMTrack", "SchemaReport", "backups", "running_mediamonkey"]
