"""``manage.py bench_chat``: concurrent live chats against one ASGI process on loopback
(docs/live-chat.md, "Benchmark").

Starts daphne on ``helpdesk.asgi`` in a subprocess against the configured database and
channel layer, opens ``--chats`` visitor sockets and one agent socket per
``--per-agent`` chats (the agents' inbox sockets, subscribed to their chats), has every
visitor send ``--messages`` messages, and measures the time from a visitor's send to
the agent socket receiving it (each message is stored as a ticket message first), and
the server's resident memory. The chats it made are deleted afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.sessions.backends.db import SessionStore
from django.core.management.base import BaseCommand, CommandError

from helpdesk.models import User
from tickets import routing
from tickets.models import Channel, Customer, TeamMembership, Ticket

from ... import services
from ...tokens import make_token

BENCH_DOMAIN = "bench-chat.invalid"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far (/proc/<pid>/stat, clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


class Command(BaseCommand):
    help = "Benchmark live chat: concurrent chats, visitor → agent latency, server memory."

    def add_arguments(self, parser):
        parser.add_argument("--chats", type=int, default=200)
        parser.add_argument("--messages", type=int, default=5, help="per visitor")
        parser.add_argument("--per-agent", type=int, default=4, help="chats per agent socket")
        parser.add_argument("--ramp", type=float, default=10.0,
                            help="new sockets per second while connecting (a burst of "
                                 "hundreds of handshakes at once is not what a site sees)")
        parser.add_argument("--server-log", default="",
                            help="write the server's output (errors) to this file")
        parser.add_argument("--interval", type=float, default=1.2,
                            help="seconds between one visitor's messages (the flood limit "
                                 "allows HELPDESK_CHAT_RATE per 10 s)")

    def handle(self, *args, chats: int, messages: int, per_agent: int, interval: float,
               ramp: float, server_log: str = "", **options):
        try:
            import websockets  # noqa: F401
        except ImportError:
            raise CommandError("bench_chat needs the websockets package (pip install "
                               "websockets; it is in the dev extras)") from None
        if chats < 1 or messages < 1 or per_agent < 1:
            raise CommandError("--chats, --messages and --per-agent must be at least 1")
        self._clean_up(None)  # what a killed run left behind
        agent, cookie = self._agent()
        tokens = self._start_chats(chats)
        port = _free_port()
        log = open(server_log, "wb") if server_log else subprocess.DEVNULL  # noqa: SIM115
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
             "--websocket_connect_timeout", "60", "helpdesk.asgi:application"], env=os.environ.copy(),
            stdout=log, stderr=log)
        try:
            self._wait_for(port, server)
            rss_idle = _rss_kib(server.pid)
            latencies, errors, rss_peak, phase = asyncio.run(self._run(
                port, server.pid, tokens, cookie, messages, per_agent, interval, ramp))
            self._report(chats, messages, latencies, errors, rss_idle, rss_peak, phase)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:  # still closing hundreds of sockets
                server.kill()
                server.wait()
            self._clean_up(agent)

    # -- set-up -------------------------------------------------------------------------

    def _agent(self) -> tuple[User, str]:
        team = routing.default_team(channel=Channel.CHAT)
        if team is None:
            raise CommandError("No team: run migrate (and seed_demo) first.")
        agent, _ = User.objects.update_or_create(
            email=f"agent@{BENCH_DOMAIN}",
            defaults={"name": "Bench Agent", "role": User.Role.AGENT,
                      "availability": User.Availability.AVAILABLE, "is_active": True})
        TeamMembership.objects.get_or_create(team=team, user=agent)
        session = SessionStore()
        session[SESSION_KEY] = str(agent.pk)
        session[BACKEND_SESSION_KEY] = next(  # as a sign-in stores it: a backend that loads users
            path for path in settings.AUTHENTICATION_BACKENDS
            if hasattr(load_backend(path), "get_user"))
        session[HASH_SESSION_KEY] = agent.get_session_auth_hash()
        session.create()
        return agent, f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def _start_chats(self, n: int) -> list[tuple[int, str]]:
        tokens = []
        for i in range(n):
            started = services.start_chat(name=f"Visitor {i}", email=f"v{i}@{BENCH_DOMAIN}",
                                          message=f"Bench chat {i}")
            if started.offline:
                raise CommandError("No agent available for chat.")
            tokens.append((started.chat.pk, make_token(started.chat.pk)))
        return tokens

    def _wait_for(self, port: int, server) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("daphne exited (see --server-log)")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError("daphne did not start within 60 s")

    def _clean_up(self, agent: User | None) -> None:
        Ticket.objects.filter(customer__email__endswith="@" + BENCH_DOMAIN).delete()
        Customer.objects.filter(email__endswith="@" + BENCH_DOMAIN).delete()
        if agent is not None:
            agent.delete()

    # -- the run ------------------------------------------------------------------------

    async def _run(self, port, pid, tokens, cookie, messages, per_agent, interval, ramp):
        import websockets

        base = f"ws://127.0.0.1:{port}"
        origin = f"http://127.0.0.1:{port}"
        sent: dict[str, float] = {}
        latencies: list[float] = []
        errors: list[str] = []
        expected = len(tokens) * messages
        done = asyncio.Event()
        rss_peak = 0

        async def agent_socket(chat_ids):
            async with websockets.connect(f"{base}/ws/agent/", origin=origin,
                                          additional_headers={"Cookie": cookie},
                                          max_queue=None, open_timeout=60) as ws:
                for chat_id in chat_ids:
                    await ws.send(json.dumps({"type": "subscribe", "chat": chat_id}))
                async for raw in ws:
                    frame = json.loads(raw)
                    if frame.get("type") == "message" and frame.get("author") == "visitor":
                        key = frame["body"]
                        if key in sent:
                            latencies.append(time.perf_counter() - sent.pop(key))
                            if len(latencies) >= expected:
                                done.set()
                    elif frame.get("type") == "error":
                        errors.append(frame.get("code", "?"))

        all_connected = asyncio.Event()
        connected = 0

        async def visitor(chat_id, token):
            nonlocal connected
            async with websockets.connect(f"{base}/ws/chat/{token}/", origin=origin,
                                          max_queue=None, open_timeout=60) as ws:
                await ws.recv()  # the first message comes back as history
                connected += 1
                if connected == len(tokens):
                    all_connected.set()
                await all_connected.wait()  # every chat open before the timing starts
                await asyncio.sleep(random.uniform(0, interval))  # visitors are not in step
                for n in range(messages):
                    key = f"bench {chat_id}.{n}"
                    sent[key] = time.perf_counter()
                    await ws.send(json.dumps({"type": "message", "body": key}))
                    await asyncio.sleep(interval)
                await done.wait()

        async def watch_memory():
            nonlocal rss_peak
            while not done.is_set():
                rss_peak = max(rss_peak, _rss_kib(pid))
                await asyncio.sleep(0.25)

        chat_ids = [c for c, _t in tokens]
        groups = [chat_ids[i:i + per_agent] for i in range(0, len(chat_ids), per_agent)]
        agents = []
        for g in groups:
            agents.append(asyncio.create_task(agent_socket(g)))
            await asyncio.sleep(1 / ramp)
        watcher = asyncio.create_task(watch_memory())
        phase: dict = {}

        async def mark_phase():
            await all_connected.wait()
            phase["cpu"], phase["wall"] = _cpu_seconds(pid), time.perf_counter()
            await done.wait()
            phase["cpu"] = _cpu_seconds(pid) - phase["cpu"]
            phase["wall"] = time.perf_counter() - phase["wall"]

        marker = asyncio.create_task(mark_phase())
        visitors = []
        for c, t in tokens:
            visitors.append(asyncio.create_task(visitor(c, t)))
            await asyncio.sleep(1 / ramp)
        try:
            await asyncio.wait_for(done.wait(), timeout=300 + messages * interval * 2)
        except TimeoutError:
            errors.append(f"timeout: {len(sent)} messages never reached an agent")
            done.set()
        await asyncio.sleep(0)
        for task in [*visitors, *agents, watcher, marker]:
            task.cancel()
        for outcome in await asyncio.gather(*visitors, *agents, watcher, marker,
                                            return_exceptions=True):
            if isinstance(outcome, Exception) and not isinstance(outcome, asyncio.CancelledError):
                errors.append(f"{type(outcome).__name__}: {outcome}")
        return latencies, errors, rss_peak, phase

    def _report(self, chats, messages, latencies, errors, rss_idle, rss_peak, phase) -> None:
        layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
        db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(f"{chats} concurrent chats × {messages} messages, one daphne process, "
                          f"{layer}, {db}")
        if latencies:
            ms = [x * 1000 for x in latencies]
            self.stdout.write(f"visitor → agent latency: median {statistics.median(ms):.1f} ms, "
                              f"p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms "
                              f"(n={len(ms)})")
        if latencies and phase.get("wall"):
            # What the server spent per message, whatever else runs on the machine: with
            # one process, 1 / (CPU per message) is the most messages per second it serves.
            self.stdout.write(
                f"message phase: {phase['wall']:.1f} s, {len(latencies) / phase['wall']:.0f} "
                f"messages/s delivered; server CPU {phase['cpu']:.1f} s = "
                f"{1000 * phase['cpu'] / len(latencies):.1f} ms per message")
        self.stdout.write(f"server memory (RSS): {rss_idle / 1024:.0f} MiB idle, "
                          f"{rss_peak / 1024:.0f} MiB peak")
        if errors:
            self.stdout.write(f"errors: {len(errors)} ({', '.join(sorted(set(errors))[:5])})")
