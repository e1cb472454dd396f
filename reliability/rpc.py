"""A JSON-RPC client of Odoo that classifies every answer.

Every call ends in one outcome, counted by the caller's ``Stats``:

- ``ok``;
- ``refused``: a user-facing error (``UserError``, ``ValidationError``, ``AccessError``,
  ``MissingError``, ``AccessDenied``) — what the user sees in a dialog;
- ``conflict``: a serialization failure or a lock held by another transaction that Odoo
  retried and gave up on — the client may retry;
- ``unavailable``: the server or its database could not answer (connection refused or
  reset, a killed worker, PostgreSQL restarting) — the client may retry;
- ``internal``: anything else (a Python or SQL error reaching the client): always a bug.
"""

import json
import re
import threading
import time
from collections import Counter

import requests

USER_ERRORS = {
    "odoo.exceptions.UserError",
    "odoo.exceptions.ValidationError",
    "odoo.exceptions.AccessError",
    "odoo.exceptions.MissingError",
    "odoo.exceptions.AccessDenied",
    "odoo.exceptions.RedirectWarning",
}
CONFLICTS = {
    "psycopg2.errors.SerializationFailure",
    "psycopg2.errors.LockNotAvailable",
    "psycopg2.errors.DeadlockDetected",
    "psycopg2.extensions.TransactionRollbackError",
}
# the database went away under the request (PostgreSQL restarting): retry later
DATABASE_DOWN = {
    "psycopg2.OperationalError",
    "psycopg2.InterfaceError",
    "psycopg2.errors.AdminShutdown",
    "psycopg2.errors.CannotConnectNow",
    "psycopg2.errors.CrashShutdown",
}


class RpcError(Exception):
    """A classified failure of one call."""

    def __init__(self, outcome, name, message, status=200):
        super().__init__(f"{outcome}: {name}: {message}")
        self.outcome = outcome
        self.name = name
        self.message = message
        self.status = status


class Stats:
    """Thread-safe counters of outcomes, error names, HTTP statuses and the internal errors seen."""

    def __init__(self):
        self.lock = threading.Lock()
        self.outcomes = Counter()
        self.errors = Counter()
        self.statuses = Counter()
        self.internal = []
        self.latencies = []

    def record(self, outcome, name=None, status=None, detail=None, latency=None):
        with self.lock:
            self.outcomes[outcome] += 1
            if name:
                self.errors[name] += 1
            if status is not None:
                self.statuses[status] += 1
            if outcome == "internal" and len(self.internal) < 50:
                self.internal.append(detail)
            if latency is not None:
                self.latencies.append(latency)

    def merge(self, other):
        with self.lock:
            self.outcomes.update(other.outcomes)
            self.errors.update(other.errors)
            self.statuses.update(other.statuses)
            self.internal.extend(other.internal)
            self.latencies.extend(other.latencies)


class Client:
    """One user's JSON-RPC connection (``/jsonrpc``, the ``object`` service)."""

    def __init__(self, url, db, login, password, stats=None, timeout=120):
        self.url = url.rstrip("/")
        self.db = db
        self.login = login
        self.password = password
        self.stats = stats if stats is not None else Stats()
        self.timeout = timeout
        self.session = requests.Session()
        self.uid = None
        self._id = 0

    def _post(self, service, method, args):
        self._id += 1
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"service": service, "method": method, "args": args},
            "id": self._id,
        }
        start = time.monotonic()
        try:
            response = self.session.post(
                f"{self.url}/jsonrpc",
                data=json.dumps(payload),
                timeout=self.timeout,
                headers={"Content-Type": "application/json"},
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            self.stats.record("unavailable", type(exc).__name__, detail=str(exc))
            raise RpcError("unavailable", type(exc).__name__, str(exc), status=None) from None
        latency = time.monotonic() - start
        if response.status_code >= 500:
            self.stats.record(
                "unavailable",
                f"HTTP {response.status_code}",
                response.status_code,
                detail=response.text[:300],
                latency=latency,
            )
            raise RpcError("unavailable", f"HTTP {response.status_code}", response.text[:300], response.status_code)
        try:
            body = response.json()
        except ValueError:
            self.stats.record("internal", "not JSON", response.status_code, detail=response.text[:300])
            raise RpcError("internal", "not JSON", response.text[:300], response.status_code) from None
        if "error" not in body:
            self.stats.record("ok", status=response.status_code, latency=latency)
            return body["result"]
        data = body["error"].get("data") or {}
        name = data.get("name") or body["error"].get("message", "?")
        message = data.get("message") or body["error"].get("message", "")
        outcome = classify(name, message, data.get("debug", ""))
        detail = f"{name}: {message[:300]} | {data.get('debug', '')[-600:]}"
        self.stats.record(outcome, name, response.status_code, detail=detail, latency=latency)
        raise RpcError(outcome, name, message, response.status_code)

    def authenticate(self):
        self.uid = self._post("common", "login", [self.db, self.login, self.password])
        if not self.uid:
            raise RpcError("refused", "AccessDenied", f"cannot log in as {self.login}")
        return self.uid

    def call(self, model, method, *args, **kwargs):
        if self.uid is None:
            self.authenticate()
        return self._post("object", "execute_kw", [self.db, self.uid, self.password, model, method, list(args), kwargs])


def classify(name, message="", debug=""):
    if name in USER_ERRORS:
        return "refused"
    if name in CONFLICTS:
        return "conflict"
    if name in DATABASE_DOWN or (name.startswith("psycopg2.errors.") and "terminat" in message):
        return "unavailable"
    if (name.endswith("QWebException") and re.search(r"OperationalError|InterfaceError", message)) or re.search(
        r"^psycopg2\.(OperationalError|InterfaceError)\b", debug, re.MULTILINE
    ):
        # the database went away under code that wraps what it catches (a PDF being rendered:
        # QWeb): the lost connection is named in the message or only in the chained traceback
        return "unavailable"
    if "could not serialize access" in message or "could not obtain lock" in message:
        return "conflict"
    return "internal"


RETRYABLE = ("conflict", "unavailable")


def retry(func, attempts=60, pause=0.5, on_retry=None):
    """Call ``func`` until it does not fail with a retryable error (conflict, unavailable).

    ``on_retry`` is called before each new attempt and may return a value to stop with
    (the work was in fact done: an idempotent check).
    """
    for attempt in range(attempts):
        try:
            return func()
        except RpcError as exc:
            if exc.outcome not in RETRYABLE or attempt == attempts - 1:
                raise
            time.sleep(min(pause * (attempt + 1), 3))
            if on_retry is not None:
                try:
                    done = on_retry()
                except RpcError as check:
                    if check.outcome not in RETRYABLE:
                        raise
                    continue
                if done is not None:
                    return done
    raise AssertionError("unreachable")
