"""Webhooks: incoming endpoints and what a call starts, outgoing notifications, debouncing."""
