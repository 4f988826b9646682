"""The installation as a whole: health, status for Home Assistant, and the dashboard's
read-only insights."""
