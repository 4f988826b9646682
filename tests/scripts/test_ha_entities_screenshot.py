"""scripts/ha_entities_screenshot.py renders every entity of the discovery documents (the PNG
itself needs Chromium and is made by hand; this checks the page it is taken of)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app.domain.homeassistant import DeviceInfo, LinkEntity, Topics, discovery_documents

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "ha_entities_screenshot.py"


def test_the_page_lists_every_entity(tmp_path: Path) -> None:
    out = tmp_path / "entities.png"
    subprocess.run(
        [sys.executable, str(SCRIPT), "--html-only", "--out", str(out)], check=True, timeout=60
    )
    page = out.with_suffix(".html").read_text("utf-8")
    links = [LinkEntity(1, "ratings", "x"), LinkEntity(2, "mirror", "y")]
    documents = discovery_documents(Topics(), DeviceInfo("0", None), links)
    for topic, document in documents.items():
        assert f"{topic.split('/')[1]}.{document['object_id']}" in page
    assert "<h1>Crossfade</h1>" in page
