"""Sign-in limits that slow guessing without locking a real person out (OWASP ASVS V6 style).

Only failed sign-ins are counted, under three keys: the address, the account, and the two together.
The decision is taken before the password is checked and never looks at whether the account exists,
so a refusal tells nobody anything about an account.

- An address that has failed ``free`` times waits before each further try, the wait doubling with every
  failure up to the forgetting window. One place guessing across many accounts soon stops; everybody
  else is unaffected.
- The same for an address guessing one account.
- An account's failures slow only addresses that have themselves failed for that account, and only by
  a short delay (``ACCOUNT_DELAY_CAP``). Guesses spread over many addresses still slow down, while the
  right password from an address that has not failed is never refused: nobody can lock a GP out by
  typing wrong passwords for them somewhere else.
- A success clears its own pair and the account's count, never the address's: otherwise one valid
  account would wash an address's guessing clean.

Every key forgets its failures a window's length after its last one.
"""
from __future__ import annotations

import time

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from .models import SigninFailure
from .ratelimit import parse_limit

FIRST_DELAY = 15  # seconds, doubled for each failure past the free allowance
ACCOUNT_DELAY_CAP = 60  # an account's count only ever costs an address a short wait


def _keys(address: str, email: str) -> tuple[str, str, str]:
    return f"addr:{address}"[:200], f"acct:{email}"[:200], f"pair:{address}|{email}"[:200]


def _delay(failures: int, free: int, cap: int) -> float:
    if failures < free:
        return 0
    return min(cap, FIRST_DELAY * 2 ** min(failures - free, 20))


def seconds_to_wait(session, address: str, email: str, spec: str, now: float | None = None) -> int:
    """How long this address must wait before trying this account again; 0 means go ahead."""
    free, window = parse_limit(spec)
    now = time.time() if now is None else now
    address_key, account_key, pair_key = _keys(address, email)
    rows = {key: (failures, last) for key, failures, last in session.execute(
        select(SigninFailure.key, SigninFailure.failures, SigninFailure.last_failed_at)
        .where(SigninFailure.key.in_(_keys(address, email)), SigninFailure.last_failed_at >= now - window))}
    waits = []
    for key, cap in ((address_key, window), (pair_key, window)):
        if key in rows:
            failures, last = rows[key]
            waits.append(last + _delay(failures, free, cap) - now)
    if pair_key in rows and account_key in rows:
        failures, last = rows[account_key]
        waits.append(last + _delay(failures, free, min(window, ACCOUNT_DELAY_CAP)) - now)
    longest = max(waits, default=0)
    return int(longest) + 1 if longest > 0 else 0


def record_failure(session, address: str, email: str, spec: str, now: float | None = None) -> None:
    """Count a failed sign-in under each key, in the caller's transaction."""
    _, window = parse_limit(spec)
    now = time.time() if now is None else now
    for key in _keys(address, email):
        # A key whose failures are older than the window starts again from one.
        fresh = case((SigninFailure.last_failed_at < now - window, 1), else_=SigninFailure.failures + 1)
        statement = update(SigninFailure).where(SigninFailure.key == key).values(failures=fresh, last_failed_at=now)
        if session.execute(statement).rowcount:
            continue
        try:
            with session.begin_nested():  # another worker may count the same key at the same moment
                session.add(SigninFailure(key=key, failures=1, last_failed_at=now))
        except IntegrityError:
            session.execute(statement)
    session.execute(delete(SigninFailure).where(SigninFailure.last_failed_at < now - 2 * window))


def record_success(session, address: str, email: str) -> None:
    _, account_key, pair_key = _keys(address, email)
    session.execute(delete(SigninFailure).where(SigninFailure.key.in_([account_key, pair_key])))
