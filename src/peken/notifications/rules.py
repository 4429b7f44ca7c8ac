"""When the outbox tries again. Pure: no Django."""

FIRST_RETRY_SECONDS = 30
LONGEST_WAIT_SECONDS = 3600


def retry_delay_seconds(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed try: 30 s, doubling, at most an hour.

    With 12 tries a message waits out a mail server down for about five hours.
    """
    if attempts < 1:
        return 0
    return min(FIRST_RETRY_SECONDS * 2 ** min(attempts - 1, 20), LONGEST_WAIT_SECONDS)


def is_given_up(attempts: int, max_attempts: int) -> bool:
    return attempts >= max_attempts
