import pytest

from app.api.errors import STATUS_BY_ERROR, status_for
from app.domain import errors
from app.domain.errors import CrossfadeError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (errors.InvalidInput("x"), 422),
        (errors.NotFound("x"), 404),
        (errors.AlreadyRunning("x", job_id=1), 409),
        (errors.StateConflict("x"), 409),
        (errors.AuthError("x"), 401),
        (errors.Forbidden("x"), 403),
        (errors.SetupError("x"), 400),
        (errors.PathOutsideRoots("x", path="/p"), 403),
        (errors.QueueUnavailable("x"), 503),
        (errors.CorruptFile("x", path="/p"), 422),
        (errors.HardlinkSkipped("x", path="/p"), 422),
        (errors.PlexError("x", server="s"), 502),
        (errors.PlexUnauthorized("x", server="s"), 502),
        (errors.PlexUnavailable("x", server="s"), 503),
        (errors.PlexNotFound("x", server="s"), 404),
        (errors.JellyfinError("x", server="s"), 502),
        (errors.JellyfinUnauthorized("x", server="s"), 502),
        (errors.MirrorError("x"), 400),
        (errors.UnsafeLayout("x"), 400),
        (errors.TargetLocked("x"), 409),
        (CrossfadeError("x"), 500),
    ],
)
def test_status_table(error: CrossfadeError, status: int) -> None:
    assert status_for(error) == status


def test_every_error_class_has_a_status() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, CrossfadeError)
    ]
    assert all(any(c in STATUS_BY_ERROR for c in cls.__mro__) for cls in classes)
