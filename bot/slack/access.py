"""Who may act in Slack: the configured user ids, or the members of a configured user group.

A Slack payload proves who clicked only when it is signed (HTTP) or came over our socket; being in the
workspace is not enough to change a case. The group's members are looked up (usergroups.users.list) and
kept for a few minutes; when the lookup fails, access is refused (fail closed) rather than guessed.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock

log = logging.getLogger(__name__)

GROUP_TTL = timedelta(minutes=5)


class Access:
    def __init__(self, client: WebClient, users: tuple[str, ...], usergroup: str, clock: Clock) -> None:
        self.client, self.users, self.usergroup, self.clock = client, frozenset(users), usergroup, clock
        self._members: frozenset[str] = frozenset()
        self._fetched: datetime | None = None

    def allowed(self, user_id: str) -> bool:
        if not user_id:
            return False
        if user_id in self.users:
            return True
        return bool(self.usergroup) and user_id in self._group_members()

    def _group_members(self) -> frozenset[str]:
        now = self.clock.now()
        if self._fetched is None or now - self._fetched > GROUP_TTL:
            try:
                resp = self.client.usergroups_users_list(usergroup=self.usergroup)
            except (SlackApiError, OSError) as exc:
                log.warning("user group %s could not be read: %s", self.usergroup, exc)
                return frozenset()
            self._members, self._fetched = frozenset(resp.get("users") or []), now
        return self._members
