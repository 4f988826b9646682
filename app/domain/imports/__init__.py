"""Other tools' configuration files, read into what Crossfade would create from them.

Pure parsing and translation: a parser takes the file's text (and, for PMRS, the environment
overrides it honours) and returns a plan of libraries and links, or raises
:class:`~app.domain.errors.InvalidInput` naming the missing or invalid key. Carrying the plan
out (asking Plex for section ids, saving the libraries) is
``app.services.importers``'s work.
"""
