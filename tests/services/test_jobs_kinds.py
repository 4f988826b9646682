import pytest

from app.domain.errors import InvalidInput
from app.services.jobs.context import JobContext
from app.services.jobs.kinds import JobKind, JobKindRegistry, no_params


def nothing(ctx: JobContext) -> None:
    ctx.progress("nothing", 0, 0)


def test_register_get_and_list_sorted() -> None:
    registry = JobKindRegistry()
    b = JobKind(name="b", title="B", handler=nothing, lock_key="b")
    a = JobKind(name="a", title="A", handler=nothing, lock_key="a")
    registry.register(b)
    registry.register(a)
    assert registry.get("a") is a
    assert "b" in registry and "c" not in registry
    assert [kind.name for kind in registry] == ["a", "b"]


def test_twice_is_a_programming_error() -> None:
    registry = JobKindRegistry()
    registry.register(JobKind(name="a", title="A", handler=nothing, lock_key="a"))
    with pytest.raises(ValueError, match="twice"):
        registry.register(JobKind(name="a", title="A", handler=nothing, lock_key="a"))


def test_unknown_names_the_known() -> None:
    registry = JobKindRegistry()
    registry.register(JobKind(name="a", title="A", handler=nothing, lock_key="a"))
    with pytest.raises(InvalidInput, match=r"unknown job kind 'z' \(known: a\)"):
        registry.get("z")


def test_no_params() -> None:
    assert no_params({}) == {}
    with pytest.raises(InvalidInput):
        no_params({"x": 1})
