"""emulator layer (see ../shared/DESIGN.md)."""
