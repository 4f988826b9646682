"""The admin account, sessions, the login limiter and API tokens."""
