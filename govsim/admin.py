"""The admin HTTP API (JSON in, JSON out) on its own port. See docs/govsim.md for the table."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from govsim import mutations
from govsim.httpcore import Request, Response
from govsim.world import World

EnsureAlias = Callable[[str], Awaitable[str]]


class AdminApp:
    """Routes admin requests to :mod:`govsim.mutations` under the world lock."""

    def __init__(self, world: World, ensure_alias: EnsureAlias | None = None) -> None:
        self.world = world
        self.ensure_alias = ensure_alias

    async def __call__(self, request: Request) -> Response:
        try:
            body = json.loads(request.body or b"{}")
            if not isinstance(body, dict):
                raise ValueError("the request body must be a JSON object")
            if request.path.endswith("/fault") and body.get("kind") == "redirect" and body.get("on", True):
                slug = request.path.split("/")[2]
                if self.ensure_alias is not None and slug in self.world.sites:
                    await self.ensure_alias(slug)
            with self.world.lock:
                status, payload = self.dispatch(request.method, request.path, request.query, body)
        except KeyError as exc:
            status, payload = 404, {"error": str(exc).strip("'\"")}
        except (ValueError, TypeError) as exc:
            status, payload = 400, {"error": str(exc)}
        data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        return Response(status, data, {"Content-Type": "application/json; charset=utf-8"})

    def dispatch(
        self, method: str, path: str, query: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, Any]:
        world = self.world
        parts = [p for p in path.split("/") if p]
        if method == "GET" and parts == ["health"]:
            return 200, {"ok": True, "sites": len(world.sites), "seed": world.seed}
        if method == "GET" and parts == ["sites"]:
            return 200, [s.describe() for s in world.sites.values()]
        if method == "POST" and parts == ["reset"]:
            world.reset()
            return 200, {"reset": True}
        if parts and parts[0] == "log":
            return self._log(method, parts[1:])
        match = re.fullmatch(r"sites/([^/]+)(?:/notices/([^/]+))?(?:/([a-z_]+))?", "/".join(parts))
        if not match:
            return 404, {"error": f"no admin endpoint {method} {path}"}
        slug, notice_id, action = match.groups()
        state = world.site(slug)
        if method == "GET" and notice_id is None and action == "notices":
            return 200, [{**n.summary(), "url": state.url(n)} for n in state.notices()]
        if method == "GET" and notice_id is not None and action is None:
            notice = state.notice(notice_id)
            return 200, {**notice.summary(), "url": state.url(notice), "paragraphs": notice.paragraphs,
                         "attachment_texts": [a.text for a in notice.attachments]}  # fmt: skip
        if method != "POST":
            return 405, {"error": f"{method} {path}: use POST"}
        if notice_id is None:
            return 200, self._site_action(state, action or "", body)
        return 200, self._notice_action(state, notice_id, action or "", body)

    def _site_action(self, state: Any, action: str, body: dict[str, Any]) -> dict[str, Any]:
        if action == "publish":
            published_on = body.get("published")
            return mutations.publish(
                state,
                body.get("seed"),
                published_on=date.fromisoformat(published_on) if published_on else None,
                repeals=list(body.get("repeals") or []),
            )
        if action == "noise":
            return mutations.noise(state, body["kind"], body.get("notice_id"))
        if action == "fault":
            options = dict(body.get("options") or {})
            return mutations.fault(state, body["kind"], on=bool(body.get("on", True)), scope=body.get("scope", "all"),
                                   count=body.get("count"), **options)  # fmt: skip
        if action == "robots":
            return mutations.robots(state, bool(body.get("disallow", True)))
        raise KeyError(f"no site action {action!r}")

    def _notice_action(self, state: Any, notice_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        if action == "edit":
            return mutations.edit_paragraph(state, notice_id, body.get("paragraph_index"), body.get("text"))
        if action == "metadata":
            return mutations.change_metadata(state, notice_id, body.get("fields") or {})
        if action == "attachment":
            return mutations.set_attachment(state, notice_id, body.get("kind", "pdf"), body.get("text"))
        if action == "remove":
            return mutations.remove(state, notice_id, int(body.get("status", 404)))
        if action == "restore":
            return mutations.restore(state, notice_id)
        raise KeyError(f"no notice action {action!r}")

    def _log(self, method: str, rest: list[str]) -> tuple[int, Any]:
        world = self.world
        if method == "POST" and rest == ["reset"]:
            with world.lock:
                for state in world.sites.values():
                    state.log = type(state.log)()
            return 200, {"reset": True}
        if rest:
            return 200, world.site(rest[0]).log.as_dict()
        return 200, {slug: s.log.as_dict() for slug, s in world.sites.items() if s.log.requests}
