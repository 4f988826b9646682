"""The music ratings sync: sides, the run (scan, match, plan, apply), undo, review, job kinds,
ad hoc runs and the tag survey."""
