"""The browser dashboard: server-rendered Jinja2 pages, live parts swapped by HTMX."""
