"""Sessions read from the cache and kept in the database (docs/performance.md, "Every
page: the session, the user and the top bar").

Every request of a signed-in user reads its session. From the database that is one
query per page, and the ORM's work around it (building the SQL, the model instance, the
signed and encoded data) cost about a millisecond of CPU, a tenth of a ticket page.
Django's ``cached_db`` engine reads the session from the cache and writes it through to
the database; this store is that engine with the cache asked as ``helpdesk.cache``
asks it:

- **Redis down is a miss, not a 500.** A cache that does not answer sends the read to
  the database, and the process leaves the cache alone for ``helpdesk.cache.RETRY_AFTER``
  seconds (Django's engine would raise on the write after a database read).
- **The database is the truth.** A session is written to the database first, then to
  the cache; signing out deletes the row, then the cache entry. Whether a session key is
  taken is asked of the database alone.
- **A copy lives for ``CACHE_SECONDS`` at most.** If Redis missed a delete (signing out
  while it did not answer) and comes back holding the old copy, that copy is served for
  at most this long. A busy session costs one database read per interval.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from helpdesk import cache

CACHE_SECONDS = 300


class SessionStore(DatabaseStore):
    cache_key_prefix = KEY_PREFIX

    @property
    def cache_key(self) -> str:
        return self.cache_key_prefix + self._get_or_create_session_key()

    def _cache_for(self, data: dict, expiry=None) -> None:
        age = self.get_expiry_age(expiry=expiry) if expiry else self.get_expiry_age()
        cache.set(self.cache_key, data, min(CACHE_SECONDS, age))

    def load(self) -> dict:
        data = cache.get(self.cache_key) if self.session_key else None
        if data is not None:
            return data
        row = self._get_session_from_db()
        if row is None:
            return {}
        data = self.decode(row.session_data)
        self._cache_for(data, row.expire_date)
        return data

    def save(self, must_create: bool = False) -> None:
        super().save(must_create)
        self._cache_for(self._session)

    def delete(self, session_key: str | None = None) -> None:
        super().delete(session_key)
        key = session_key or self.session_key
        if key is not None:
            cache.delete(self.cache_key_prefix + key)

    # Channels and async views reach the same code in a thread.
    async def aload(self) -> dict:
        return await sync_to_async(self.load)()

    async def asave(self, must_create: bool = False) -> None:
        await sync_to_async(self.save)(must_create)

    async def adelete(self, session_key: str | None = None) -> None:
        await sync_to_async(self.delete)(session_key)
