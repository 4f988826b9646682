"""Standard Webhooks signatures: the scheme's published example, and what a receiver refuses."""

from __future__ import annotations

import pytest

from app.domain.webhook_signing import format_secret, secret_bytes, signature, verify

# The example of the Standard Webhooks specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STAMP = 1614265330
BODY = b'{"test": 2432232314}'
SIGNED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(**changes: str) -> dict[str, str]:
    base = {"webhook-id": MSG_ID, "webhook-timestamp": str(STAMP), "webhook-signature": SIGNED}
    return base | changes


def test_the_specifications_example() -> None:
    assert signature(SECRET, MSG_ID, STAMP, BODY) == SIGNED
    assert format_secret(secret_bytes(SECRET)) == SECRET


@pytest.mark.parametrize(
    ("changed", "body", "now_s", "accepted"),
    [
        ({}, BODY, STAMP + 10, True),
        ({"webhook-signature": f"v1,bm9wZQ== {SIGNED}"}, BODY, STAMP, True),  # one of several
        ({}, BODY + b" ", STAMP, False),
        ({"webhook-id": "msg_other"}, BODY, STAMP, False),
        ({"webhook-timestamp": str(STAMP + 1)}, BODY, STAMP, False),
        ({}, BODY, STAMP + 301, False),  # too old: a replay
        ({}, BODY, STAMP - 301, False),  # from the future
        ({"webhook-timestamp": "soon"}, BODY, STAMP, False),
        ({"webhook-signature": "v1,bm9wZQ=="}, BODY, STAMP, False),
        ({"webhook-id": ""}, BODY, STAMP, False),
    ],
)
def test_verify(changed: dict[str, str], body: bytes, now_s: float, accepted: bool) -> None:
    assert verify(SECRET, headers(**changed), body, now_s=now_s) is accepted


def test_a_secret_must_say_what_it_is() -> None:
    with pytest.raises(ValueError, match="whsec_"):
        secret_bytes("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
