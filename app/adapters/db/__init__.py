"""adapters/db layer (see ../shared/DESIGN.md)."""
