"""Notifications where people read them: Apprise URLs per event."""
