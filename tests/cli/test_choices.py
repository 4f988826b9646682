"""The CLI's mirrored choice enums hold exactly the values of the enums they stand for."""

from enum import StrEnum

import pytest

from app.cli.choices import PlaylistPolicyChoice
from app.services.playlists.run.run_state import PlaylistPolicy


@pytest.mark.parametrize(("choice", "original"), [(PlaylistPolicyChoice, PlaylistPolicy)])
def test_a_choice_enum_has_the_values_of_its_original(
    choice: type[StrEnum], original: type[StrEnum]
) -> None:
    assert {member.value for member in choice} == {member.value for member in original}
