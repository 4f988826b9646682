"""The music ratings sync: sides, the run (scan, match, plan, apply), undo, conflicts, review and
job kinds."""
