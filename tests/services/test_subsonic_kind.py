"""The ``subsonic`` kind: its config (URL, API-key mode when no user), its entry in the
built-in registry, its dashboard form, and its secret sealed at rest like a Plex token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from app.adapters.db import migrate
from app.adapters.db.engine import create_db_engine, create_session_factory
from app.adapters.db.library_repo import LibraryRepository
from app.adapters.secret_box import SecretBox, is_sealed
from app.domain.errors import InvalidInput
from app.domain.kinds import LibraryKind
from app.domain.links import LinkKind, Side
from app.domain.subsonic import AuthMode, StarredMapping
from app.services.libraries.builtin_kinds import builtin_kind_registry
from app.services.libraries.service import LibraryCatalog
from app.services.subsonic.kind import SubsonicConfig
from app.web.library_forms import config_of, secret_of

PASSWORD = "clear-subsonic-password-3Xk"


def test_the_config_checks_the_url_and_takes_an_api_key_without_a_user() -> None:
    config = SubsonicConfig.model_validate({"base_url": "https://nd.example/"})
    assert config.base_url == "https://nd.example"
    assert config.connection().auth is AuthMode.API_KEY
    assert config.starred is StarredMapping.OFF  # the starred mapping is off by default
    with_user = SubsonicConfig.model_validate({"base_url": "http://nd:4533", "user": "alice"})
    assert with_user.connection().auth is AuthMode.AUTO
    with pytest.raises(ValueError, match="http"):
        SubsonicConfig.model_validate({"base_url": "nd.example"})
    with pytest.raises(ValueError, match="extra"):
        SubsonicConfig.model_validate({"base_url": "http://nd", "password": PASSWORD})


def test_the_registry_knows_the_kind_and_its_links() -> None:
    registry = builtin_kind_registry()
    entry = registry.entry(LibraryKind.SUBSONIC)
    assert entry.secret is not None
    assert entry.path_mappings
    assert LibraryKind.SUBSONIC in registry.joining(LinkKind.RATINGS, Side.A)
    assert LibraryKind.SUBSONIC in registry.joining(LinkKind.RATINGS, Side.B)
    assert LibraryKind.SUBSONIC in registry.joining(LinkKind.PLAYLISTS, Side.A)
    assert LibraryKind.SUBSONIC in registry.joining(LinkKind.PLAYLISTS, Side.B)
    assert LibraryKind.SUBSONIC not in registry.joining(LinkKind.MIRROR, Side.A)


def test_the_form_posts_a_config_and_a_secret_apart() -> None:
    entry = builtin_kind_registry().entry(LibraryKind.SUBSONIC)
    posted = {"base_url": "http://nd:4533", "user": "", "password": PASSWORD,
              "real_paths": "true", "music_root": ""}  # fmt: skip
    config = config_of(entry, posted)
    assert PASSWORD not in str(config)
    assert secret_of(entry, posted) == PASSWORD
    checked = SubsonicConfig.model_validate(config)
    assert checked.real_paths
    assert checked.music_root is None
    assert checked.connection().auth is AuthMode.API_KEY


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    built = create_db_engine(sqlite_url)
    try:
        migrate.upgrade(built)
        yield built
    finally:
        built.dispose()


def test_the_password_is_sealed_at_rest(engine: Engine) -> None:
    repository = LibraryRepository(create_session_factory(engine), SecretBox("installation"))
    catalog = LibraryCatalog(repository, builtin_kind_registry())
    library = catalog.add_library(
        kind=LibraryKind.SUBSONIC, name="ND",
        config={"base_url": "http://nd:4533", "user": "alice"}, secret=PASSWORD,
    )  # fmt: skip
    with engine.connect() as connection:
        secret, config = connection.execute(text("SELECT secret, config FROM library")).one()
    assert is_sealed(secret) and PASSWORD not in secret
    assert PASSWORD not in str(config)
    assert repository.secret(library.id) == PASSWORD
    with pytest.raises(InvalidInput, match="password or an API key"):
        catalog.add_library(
            kind=LibraryKind.SUBSONIC, name="ND2", config={"base_url": "http://nd:4533"}
        )
