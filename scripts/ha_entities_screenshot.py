"""Render the entities Home Assistant lists for Crossfade (from the real discovery documents of
``app.domain.homeassistant``) as a small HTML page styled like Home Assistant's device page,
then take a PNG of it with headless Chromium: ``docs/img/home-assistant-entities.png``.

Usage: ``python scripts/ha_entities_screenshot.py [--html-only] [--out PATH]``. The example
installation has two links (a ratings link and a mirror link) and a sample state.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import __version__  # noqa: E402 (after the path is set)
from app.domain.homeassistant import (  # noqa: E402
    DeviceInfo,
    LinkEntity,
    Topics,
    discovery_documents,
    entity_rows,
)

LINKS = (
    LinkEntity(id=1, kind="ratings", title="Plex Music ⇄ Music"),
    LinkEntity(id=2, kind="mirror", title="Movies → Movies (mirror)"),
)
# What the state sensors would show, by the key their value template reads.
SAMPLE = {
    "state": "running",
    "progress": "42 %",
    "phase": "scanning",
    "current_job": "ratings_sync #128 of Plex Music ⇄ Music",
    "last_run_at": "12 minutes ago",
    "last_result": "succeeded",
    "pending_conflicts": "3",
    "needs_review": "1",
    "last_run_problems": "0",
    "problem": "OK",
}
LINK_SAMPLE = {"last_result": "succeeded", "last_run_at": "12 minutes ago"}
ICONS = {"button": "▶", "sensor": "◉", "binary_sensor": "✓"}
TITLES = {"button": "Controls", "sensor": "Sensors", "binary_sensor": "Diagnostic"}


def _value(document: dict[str, object]) -> str:
    template = str(document.get("value_template", ""))
    key = template.split("value_json.")[-1].split()[0] if "value_json." in template else ""
    if "link/" in str(document.get("state_topic", "")):
        return LINK_SAMPLE.get(key, "")
    return SAMPLE.get(key, "PRESS" if "command_topic" in document else "")


def render() -> str:
    documents = discovery_documents(
        Topics(), DeviceInfo(__version__, "http://crossfade.local:8080"), LINKS
    )
    by_entity = {
        f"{topic.split('/')[1]}.{document['object_id']}": document
        for topic, document in documents.items()
    }
    groups: dict[str, list[str]] = {}
    for row in entity_rows(documents):
        document = by_entity[row.entity_id]
        value = _value(document) if row.component != "button" else ""
        action = '<span class="press">Press</span>' if row.component == "button" else ""
        groups.setdefault(row.component, []).append(
            f'<div class="row"><span class="icon">{ICONS[row.component]}</span>'
            f'<span class="name">{html.escape(row.name)}<small>{html.escape(row.entity_id)}</small>'
            f'</span><span class="value">{html.escape(value)}</span>{action}</div>'
        )
    order = ("button", "binary_sensor", "sensor")  # the sensors fill the second column
    cards = "".join(
        f'<div class="card"><h2>{TITLES[component]}</h2>{"".join(groups[component])}</div>'
        for component in order
    )
    device = next(iter(documents.values()))["device"]
    info = html.escape(json.dumps({"sw_version": device["sw_version"]}))
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body{{font-family:Roboto,"Noto Sans",sans-serif;background:#f5f5f5;margin:0;padding:16px}}
body{{color:#212121}}
header{{display:flex;align-items:baseline;gap:12px;margin:0 0 12px 4px}}
header h1{{font-size:22px;font-weight:400;margin:0}} header span{{color:#727272;font-size:13px}}
.cards{{columns:2;column-gap:12px}}
.card{{break-inside:avoid;margin-bottom:12px;display:inline-block;width:100%;box-sizing:border-box}}
.card{{background:#fff;border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.15);padding:8px 16px}}
.card h2{{font-size:16px;font-weight:500;margin:8px 0}}
.row{{display:flex;align-items:center;gap:12px;padding:6px 0;border-top:1px solid #eee}}
.row{{font-size:14px}}
.icon{{width:24px;color:#03a9f4;text-align:center}} .name{{flex:1}}
.name small{{display:block;color:#9e9e9e;font-size:11px}} .value{{color:#424242}}
.press{{color:#03a9f4;font-weight:500;text-transform:uppercase;font-size:13px}}
</style></head><body data-device="{info}">
<header><h1>Crossfade</h1><span>MQTT · Crossfade {html.escape(str(device["sw_version"]))}
 · Visit <u>http://crossfade.local:8080</u></span></header>
<div class="cards">{cards}</div></body></html>"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs/img/home-assistant-entities.png")
    parser.add_argument("--html-only", action="store_true", help="write the HTML beside --out")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    page = render()
    if args.html_only:
        args.out.with_suffix(".html").write_text(page, "utf-8")
        return 0
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("chromium is not installed", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "entities.html"
        source.write_text(page, "utf-8")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={work}/profile",
                f"--screenshot={args.out}",
                "--window-size=980,700",
                source.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
