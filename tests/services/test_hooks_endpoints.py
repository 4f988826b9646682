"""Webhook endpoint options, per source: what each accepts and how it refuses; the mappings an
arr endpoint translates folders with; new secrets."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.errors import InvalidInput
from app.domain.paths import PathMapping
from app.services.hooks.endpoints import ArrOptions, new_secret, validate_options


@pytest.mark.parametrize(
    ("source", "options", "validated"),
    [
        ("plex", {}, {"on_library_new": False}),
        ("plex", {"on_library_new": True}, {"on_library_new": True}),
        ("radarr", {}, {"path_mappings": []}),
        # both sides of a mapping are trimmed, the mapping as a whole too
        (
            "sonarr",
            {"path_mappings": [" /tv = /srv/tv "]},
            {"path_mappings": ["/tv = /srv/tv"]},
        ),
        ("generic", {}, {}),
    ],
)
def test_valid_options(source: str, options: dict[str, Any], validated: dict[str, Any]) -> None:
    assert validate_options(source, options) == validated


@pytest.mark.parametrize(
    ("source", "options", "message"),
    [
        ("nntp", {}, "unknown source 'nntp'; use one of plex, radarr, sonarr, generic"),
        ("plex", {"x": 1}, "invalid plex endpoint options: x: Extra inputs are not permitted"),
        ("generic", {"on_library_new": True}, "invalid generic endpoint options"),
        ("radarr", {"path_mappings": ["nope"]}, "is not ARR_PREFIX=LOCAL_PREFIX"),
        ("radarr", {"path_mappings": ["/a=relative"]}, "'relative' is not an absolute path"),
    ],
)
def test_refused_options(source: str, options: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        validate_options(source, options)
    assert message in str(refused.value)


def test_arr_mappings_are_path_mappings() -> None:
    options = ArrOptions.model_validate({"path_mappings": ["/movies=/srv/movies", "D:\\=/d"]})
    assert options.mappings() == [PathMapping("/movies", "/srv/movies"), PathMapping("D:\\", "/d")]


def test_new_secrets_are_long_and_fresh() -> None:
    secrets = {new_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert {len(secret) for secret in secrets} == {43}
