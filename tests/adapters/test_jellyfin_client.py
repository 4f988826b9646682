"""The Jellyfin client against the recorded-contract fake: the requests it sends (method, path,
both auth headers, JSON body) and how it turns answers into errors; the key never shows."""

from __future__ import annotations

import pickle

import httpx
import pytest

from app.adapters.jellyfin import JellyfinClient
from app.domain.errors import JellyfinError, JellyfinUnauthorized
from app.domain.jellyfin import JellyfinRefresh
from tests.adapters.jellyfin_fake import Call, FakeJellyfin

KEY = "0123456789abcdef0123456789abcdef"


def client(fake: FakeJellyfin, key: str = KEY) -> JellyfinClient:
    return JellyfinClient("http://jf.local:8096/", key, transport=fake.transport())


def test_system_info_is_the_connection_test() -> None:
    fake = FakeJellyfin(KEY)
    with client(fake) as jf:
        info = jf.system_info()
    assert (info.server_name, info.version) == ("living-room", "10.9.11")
    assert fake.calls == [Call("GET", "/System/Info")]


def test_changed_folders_are_reported_as_modified_paths() -> None:
    fake = FakeJellyfin(KEY)
    with client(fake) as jf:
        jf.apply(JellyfinRefresh(False, ("/media/movies/Heat (1995)", "/media/movies/Alien")))
        jf.apply(JellyfinRefresh(True))
    assert fake.calls == [
        Call(
            "POST",
            "/Library/Media/Updated",
            {
                "Updates": [
                    {"Path": "/media/movies/Heat (1995)", "UpdateType": "Modified"},
                    {"Path": "/media/movies/Alien", "UpdateType": "Modified"},
                ]
            },
        ),
        Call("POST", "/Library/Refresh"),
    ]


@pytest.mark.parametrize(
    ("fake", "key", "error", "message"),
    [
        (FakeJellyfin(KEY), "wrong-key", JellyfinUnauthorized, r"API key was refused \(401\)"),
        (FakeJellyfin(KEY, fail_with=500), KEY, JellyfinError, "answered 500"),
    ],
)
def test_answers_become_domain_errors_without_the_key(
    fake: FakeJellyfin, key: str, error: type[JellyfinError], message: str
) -> None:
    with client(fake, key) as jf, pytest.raises(error, match=message) as raised:
        jf.system_info()
    assert key not in str(raised.value) and "jf.local" in str(raised.value)


def test_an_unreachable_server_is_an_error_naming_it() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    jf = JellyfinClient("http://jf.local:8096", KEY, transport=httpx.MockTransport(refuse))
    with jf, pytest.raises(JellyfinError, match="cannot reach the server"):
        jf.refresh_library()


def test_the_fake_refuses_what_jellyfin_refuses() -> None:
    """The contract checks themselves: a body without updates and a bare token are refused."""
    fake = FakeJellyfin(KEY)
    with httpx.Client(transport=fake.transport(), base_url="http://jf") as raw:
        auth = {"X-Emby-Token": KEY, "Authorization": f'MediaBrowser Client="x", Token="{KEY}"'}
        assert (
            raw.post("/Library/Media/Updated", json={"Updates": []}, headers=auth).status_code
            == 400
        )
        assert (
            raw.post(
                "/Library/Media/Updated", json={"Updates": [{"Path": "rel"}]}, headers=auth
            ).status_code
            == 400
        )
        assert raw.get("/System/Info", headers={"X-Emby-Token": KEY}).status_code == 401
        assert (
            raw.get(
                "/System/Info", headers={**auth, "Authorization": f"MediaBrowser Token={KEY}"}
            ).status_code
            == 401
        )
        assert raw.get("/Items", headers=auth).status_code == 404
        assert raw.get("/System/Info", headers=auth).status_code == 200


def test_errors_cross_a_process_boundary_intact() -> None:
    error = JellyfinUnauthorized("the API key was refused (401)", server="http://jf")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is JellyfinUnauthorized and str(copy) == str(error)
    assert copy.server == "http://jf"
