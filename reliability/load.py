"""Concurrent clients doing an after-sales day's work over JSON-RPC.

Each client owns one estate and loops, within an operation budget and a time limit, over
three flows: a ticket; a repair order notified, done and called back; a substitute repair
whose deduction is submitted, approved and posted (sometimes by two accountants at once).
A client records what the server acknowledged in the shared ``Ledger``; a call failing
with a retryable error (a serialization conflict, a killed worker, PostgreSQL away) is
retried, after checking whether the work was in fact done (creates carry a unique token).
"""

import random
import threading
import time
import uuid

from rpc import Client, RpcError, Stats, retry


class Ledger:
    """What clients were acknowledged, and what they attempted (for the invariants)."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.lock = threading.Lock()
        self.tickets = {}  # token -> id
        self.orders = {}  # token -> id
        self.callbacks_done = set()
        self.deductions_posted = set()
        self.attempted = {"csw.ticket": set(), "csw.repair.order": set()}
        self.flows = 0
        self.operations = 0
        self.double_posts = 0
        self.abandoned = 0

    def add(self, attr, key, value=None):
        with self.lock:
            target = getattr(self, attr)
            if isinstance(target, dict):
                target[key] = value
            else:
                target.add(key)


class Budget(Exception):
    """The client's operation budget or time limit is spent."""


class LoadClient:
    def __init__(self, url, db, data, estate, ledger, stats, budget, deadline, seed):
        password = data["password"]
        self.agent = Client(url, db, "rel_agent", password, stats)
        self.manager = Client(url, db, "rel_manager", password, stats)
        self.accountant = Client(url, db, "rel_accountant", password, stats)
        self.racer = Client(url, db, "rel_accountant", password, stats)
        self.data = data
        self.estate = estate
        self.ledger = ledger
        self.budget = budget
        self.deadline = deadline
        self.random = random.Random(seed)
        self.operations = 0

    # ------------------------------------------------------------------
    def call(self, client, model, method, *args, check=None, **kwargs):
        """One operation, retried on retryable errors; ``check`` tells whether it was done anyway."""
        if self.operations >= self.budget or time.monotonic() > self.deadline:
            raise Budget
        self.operations += 1
        return retry(lambda: client.call(model, method, *args, **kwargs), on_retry=check)

    def create(self, client, model, token_field, vals):
        token = vals[token_field]
        with self.ledger.lock:
            self.ledger.attempted[model].add(token)

        def check():
            ids = client.call(model, "search", [(token_field, "=", token)])
            return ids[0] if ids else None

        return self.call(client, model, "create", vals, check=check)

    def act(self, client, model, method, record_id, leaving):
        """A button moving the record out of state ``leaving``; a retry stops once it has left it."""
        return self.call(client, model, method, [record_id], check=self.state_is_not(client, model, record_id, leaving))

    def state_is_not(self, client, model, record_id, state):
        def check():
            current = client.call(model, "read", [record_id], ["state"])[0]["state"]
            return True if current != state else None

        return check

    def token(self):
        return f"{self.ledger.prefix}-{uuid.uuid4().hex[:12]}"

    # ------------------------------------------------------------------
    def run(self):
        flows = [self.flow_ticket] * 4 + [self.flow_repair] * 4 + [self.flow_deduction] * 2
        try:
            while True:
                try:
                    self.random.choice(flows)()
                    with self.ledger.lock:
                        self.ledger.flows += 1
                except RpcError as exc:
                    if exc.outcome != "refused":
                        # retried until exhausted or internal: counted by Stats, the flow is abandoned
                        with self.ledger.lock:
                            self.ledger.abandoned += 1
        except Budget:
            pass
        with self.ledger.lock:
            self.ledger.operations += self.operations

    def flow_ticket(self):
        token = self.token()
        ticket_type = self.random.choice(["consultation", "repair", "suggestion"])
        ticket = self.create(
            self.agent,
            "csw.ticket",
            "name",
            {
                "name": token,
                "ticket_type": ticket_type,
                "channel": self.random.choice(["phone", "walk_in", "email"]),
                "unit_id": self.estate["unit"],
                "partner_id": self.data["owner_partner"],
                "description": "<p>卫生间墙面渗水</p>",
            },
        )
        self.ledger.add("tickets", token, ticket)

    def new_order(self):
        token = self.token()
        order = self.create(
            self.agent,
            "csw.repair.order",
            "location",
            {
                "location": token,
                "unit_id": self.estate["unit"],
                "category_id": self.data["category"],
                "notify_method": "written",
                "description": "<p>主卫天花渗水</p>",
            },
        )
        self.ledger.add("orders", token, order)
        self.act(self.agent, "csw.repair.order", "action_notify", order, leaving="draft")
        return order

    def completed_repair(self, note):
        """A repair order notified and done with ``note``: its planned callbacks' ids."""
        order = self.new_order()
        self.call(self.agent, "csw.repair.order", "write", [order], {"completion_note": note})
        self.call(
            self.agent,
            "csw.repair.order",
            "action_done",
            [order],
            check=lambda: (
                True if self.agent.call("csw.repair.order", "read", [order], ["state"])[0]["state"] == "done" else None
            ),
        )
        return self.call(
            self.agent, "csw.callback", "search", [("repair_order_id", "=", order), ("state", "=", "planned")]
        )

    def flow_repair(self):
        for callback in self.completed_repair("更换防水层,闭水试验48小时"):
            satisfaction = self.random.choice(["5", "4", "3"])
            self.call(
                self.agent, "csw.callback", "write", [callback], {"result": "reached", "satisfaction": satisfaction}
            )
            self.act(self.agent, "csw.callback", "action_done", callback, leaving="planned")
            self.ledger.add("callbacks_done", callback)

    def flow_deduction(self):
        deduction = self.approved_deduction()
        self.post(deduction, race=self.random.random() < 0.3)
        self.ledger.add("deductions_posted", deduction)

    def approved_deduction(self, cost=None):
        """A substitute repair charged back, request first (代维修请示): the estimate requested,
        submitted and approved, the substitute team engaged and done at ``cost``: the approved
        deduction's id, ready to post."""
        order = self.new_order()
        cost = self.random.randint(100, 5000) if cost is None else cost

        def read_order(*names):
            return self.agent.call("csw.repair.order", "read", [order], list(names))[0]

        self.call(
            self.agent,
            "csw.repair.order",
            "write",
            [order],
            {"substitute_partner_id": self.data["repairer"], "estimated_cost": cost},
        )
        self.call(
            self.agent,
            "csw.repair.order",
            "action_request_substitute",
            [order],
            check=lambda: True if read_order("deduction_id")["deduction_id"] else None,
        )
        deduction = read_order("deduction_id")["deduction_id"][0]
        evidence = self.data["evidence"]
        self.call(
            self.agent,
            "csw.deduction",
            "write",
            [deduction],
            {"evidence_photo_ids": [(4, evidence)], "evidence_notice_ids": [(4, evidence)], "reason": "refused_repair"},
        )
        self.act(self.agent, "csw.deduction", "action_submit", deduction, leaving="draft")
        self.act(self.manager, "csw.deduction", "action_approve", deduction, leaving="submitted")
        self.call(
            self.agent,
            "csw.repair.order",
            "action_substitute",
            [order],
            check=lambda: True if read_order("is_substitute")["is_substitute"] else None,
        )
        self.call(
            self.agent,
            "csw.repair.order",
            "write",
            [order],
            {"substitute_cost": cost, "completion_note": "代维班组已修复"},
        )
        self.call(
            self.agent,
            "csw.repair.order",
            "action_done",
            [order],
            check=lambda: True if read_order("state")["state"] == "done" else None,
        )
        return deduction

    def post(self, deduction, race=False):
        """Post the deduction; with ``race``, a second accountant clicks at the same moment."""
        check = self.state_is_not(self.accountant, "csw.deduction", deduction, "approved")
        if not race:
            self.call(self.accountant, "csw.deduction", "action_post", [deduction], check=check)
            return
        results = {}

        def second():
            try:
                results["racer"] = self.racer.call("csw.deduction", "action_post", [deduction])
            except RpcError as exc:
                results["racer"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        try:
            self.call(self.accountant, "csw.deduction", "action_post", [deduction], check=check)
        except RpcError as exc:
            if exc.outcome != "refused":
                raise
            # the racer posted it first: the refusal says so
        thread.join()
        with self.ledger.lock:
            self.ledger.double_posts += 1
        state = self.accountant.call("csw.deduction", "read", [deduction], ["state"])[0]["state"]
        if state != "posted":
            # neither click went through (both refused): post it now
            self.call(self.accountant, "csw.deduction", "action_post", [deduction], check=check)


def run_load(urls, db, data, clients, operations, time_limit, prefix, stats=None, estates=None, seed=0):
    """``clients`` threads of ``operations`` calls each (or until ``time_limit`` seconds), split
    between the servers of ``urls`` (one URL or several)."""
    urls = [urls] if isinstance(urls, str) else urls
    ledger = Ledger(prefix)
    stats = stats if stats is not None else Stats()
    deadline = time.monotonic() + time_limit
    estates = estates or data["estates"]
    workers = [
        LoadClient(
            urls[i % len(urls)],
            db,
            data,
            estates[i % len(estates)],
            ledger,
            stats,
            operations,
            deadline,
            seed * 1000 + i,
        )
        for i in range(clients)
    ]
    threads = [threading.Thread(target=worker.run, name=f"client-{i}") for i, worker in enumerate(workers)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ledger, stats, time.monotonic() - start
