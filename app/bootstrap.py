"""Composition root: builds services from settings, shared by web, worker and CLI."""
