"""One run of a ratings link, stage by stage: pairing (match and follow moves), the plan
and its writes (concurrency), the write-ahead journal, undo and conflict resolution."""
