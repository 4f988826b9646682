"""Insights: charts of agreed ratings and of tag dialects, unmatched items with search."""

from __future__ import annotations

import re

import pytest

from plex_emulator.demo_files import DemoTrack
from tests.emulator.support import write_library
from tests.web.conftest import FIRST, HTMX, SECOND, DashboardWorld


def test_charts_and_unmatched_items_after_a_run(
    world: DashboardWorld, tmp_path_factory: pytest.TempPathFactory
) -> None:
    empty = world.client.get("/insights").text
    assert "No music libraries yet." in empty
    assert "No unmatched items" in empty
    link_id = world.linked()
    # Two files the Plex server does not know (it scanned before they were written).
    write_library(
        world.music,
        tmp_path_factory,
        [
            DemoTrack("Extra/Lonely Road.mp3", "Lonely Road", "Nobody", "Alone"),
            DemoTrack("Extra/Far Away.flac", "Far Away", "Nobody", "Alone"),
        ],
    )
    world.plex.rate(world.key(FIRST), 8)
    world.plex.rate(world.key(SECOND), 3)
    assert world.run(link_id).status.value == "succeeded"

    page = world.client.get("/insights").text
    plex_chart = page.split('id="ratings-1"')[1].split("</svg>")[0]
    desc = re.search(r"<desc[^>]*>([^<]*)</desc>", plex_chart)
    assert desc is not None
    assert "4★: 1" in desc.group(1) and "1½★: 1" in desc.group(1)
    assert "unrated: 4" in desc.group(1)
    assert "2 rated of 6 synced items" in page
    dialects = page.split('id="dialects-2"')[1].split("</svg>")[0]
    assert "popm:musicbee" in dialects  # what the sync just wrote into the MP3
    assert "Lonely Road" in page and "Far Away" in page

    found = world.client.get("/insights", params={"q": "lonely"}, headers=HTMX).text
    assert "<html" not in found
    assert "Lonely Road" in found and "Far Away" not in found
    assert "side B only" in found
    none = world.client.get("/insights", params={"q": "zzz"}, headers=HTMX).text
    assert "No unmatched item matches" in none
