"""How many Plex webhook calls the app takes per second, and that a burst starts one run.

Usage: python bench/webhooks.py [--calls 500] [--endpoints 20]
Runs the real app in-process (TestClient), with ``--endpoints`` Plex endpoints (a secret is
compared against every one of them), a Plex library and a ratings link, and posts ``--calls``
``media.rate`` webhooks (multipart, with a thumb) to one endpoint. Prints calls per second and
the mean latency of one call; the link's sync is debounced, so the burst queues one run (the
debounce is long here, so the run itself is not part of the measurement).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from app.bootstrap import HookTiming, build_container
from app.main import create_app
from app.settings import load_settings

THUMB = b"\xff\xd8\xff\xe0" + b"\x00" * 2000


def run(calls: int, endpoints: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "music").mkdir()
        settings = load_settings(data_dir=root / "data", database_url=None, redis_url=None)
        application = create_app(
            settings,
            container_factory=lambda s: build_container(s, hook_timing=HookTiming(debounce_s=3600)),
        )
        with TestClient(application) as client:
            container = application.state.container
            catalog = container.domains.libraries
            plex = catalog.add_library(
                kind="plex_music",
                name="Plex",
                config={"base_url": "http://127.0.0.1:9", "section_ids": [1]},
                secret="token",
            )
            files = catalog.add_library(
                kind="music_folder", name="Files", config={"root": str(root / "music")}
            )
            link = catalog.add_link(kind="ratings", library_a_id=plex.id, library_b_id=files.id)
            hooks = container.hooks.inbound
            secret = ""
            for n in range(endpoints):
                secret = hooks.create_endpoint(name=f"Plex {n}", source="plex").secret
            payload = json.dumps(
                {
                    "event": "media.rate",
                    "rating": "8",
                    "Server": {"uuid": "unknown"},
                    "Metadata": {"librarySectionID": 1, "ratingKey": "1", "title": "T"},
                }
            )
            files_part = {
                "payload": (None, payload, "application/json"),
                "thumb": ("thumb.jpg", THUMB, "image/jpeg"),
            }
            client.post(f"/api/v1/hooks/plex/{secret}", files=files_part)  # warm up
            start = time.perf_counter()
            for _ in range(calls):
                response = client.post(f"/api/v1/hooks/plex/{secret}", files=files_part)
                assert response.status_code == 202, response.text
            elapsed = time.perf_counter() - start
            pending = hooks.debouncer.pending()
        print(f"{calls} Plex webhook calls, {endpoints} endpoints: {elapsed:.2f}s")
        print(f"  {calls / elapsed:,.0f} calls/s, {1000 * elapsed / calls:.1f} ms per call")
        print(f"  runs queued for link {link.id}: {len(pending)} (coalesced {pending})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--endpoints", type=int, default=20)
    args = parser.parse_args()
    run(args.calls, args.endpoints)


if __name__ == "__main__":
    main()
