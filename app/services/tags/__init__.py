"""Tags tools: a survey of the rating tags under a folder (``crossfade tags scan``, the
dashboard)."""
