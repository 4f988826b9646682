"""Services: orchestration of domain logic and adapters. No web, queue or Plex frameworks."""
