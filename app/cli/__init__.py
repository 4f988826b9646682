"""The ``crossfade`` command line: thin commands over the services (see app.bootstrap)."""
