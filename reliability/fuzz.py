"""Hostile input: values no user may save, sent over JSON-RPC to every model.

Hypothesis draws each case: a model, a field of it (read from ``fields_get``, every stored
writable field) and a value of the wrong type, out of range (negative, huge, NaN,
infinity), an unknown selection key, a malformed date or x2many command, another
company's or a missing record; dates out of order; another company's records and another
owner's records from a portal user; workflow actions on records the user may not touch or
that are in the wrong state. Every case must be refused with a user-facing error
(``UserError``, ``ValidationError``, ``AccessError``, ``MissingError``) and leave the
database exactly as it was (a digest of the addon's tables before and after).

Then: text with HTML and script shown on the portal and in the PDFs must come out
escaped, and portal uploads that are too large or not what they claim are refused.
"""

import math
import re
from collections import Counter

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rpc import Client, RpcError

MODELS = {
    # model: (login, valid values of a new record, built from the seeded data)
    "csw.ticket": ("rel_agent", lambda d: {"name": "fuzz", "unit_id": d["unit"], "partner_id": d["owner_partner"]}),
    "csw.repair.order": (
        "rel_agent",
        lambda d: {"unit_id": d["unit"], "location": "fuzz", "category_id": d["category"], "notify_method": "written"},
    ),
    "csw.callback": (
        "rel_agent",
        lambda d: {"callback_type": "periodic", "unit_id": d["unit"], "deadline": "2030-01-01 00:00:00"},
    ),
    "csw.deduction": ("rel_agent", lambda d: {"subcontract_id": d["subcontract"]}),
    "csw.project": ("rel_manager", lambda d: {"name": "fuzz", "code": "FUZZ", "company_id": d["company"]}),
    "csw.unit": ("rel_manager", lambda d: {"name": "fuzz-1-101", "project_id": d["project"]}),
    "csw.subcontract": (
        "rel_manager",
        lambda d: {"name": "FUZZ-001", "partner_id": d["team"], "project_id": d["project"]},
    ),
    "csw.defect.category": ("rel_manager", lambda d: {"name": "fuzz", "parent_id": d["category"]}),
    "csw.sla.policy": (
        "rel_manager",
        lambda d: {"name": "fuzz", "ticket_type": "complaint", "response_hours": 4, "resolve_hours": 24},
    ),
    "csw.assessment": ("rel_manager", lambda d: {"user_id": d["agent"], "reason": "praise"}),
    "csw.callback.plan": ("rel_manager", lambda d: {"name": "fuzz"}),
}

ACTIONS = {
    "csw.ticket": [
        "action_start",
        "action_wait",
        "action_resume",
        "action_resolve",
        "action_close",
        "action_reopen",
        "action_cancel",
        "action_new_repair_order",
    ],
    "csw.repair.order": [
        "action_notify",
        "action_start",
        "action_done",
        "action_verify",
        "action_cancel",
        "action_reopen",
        "action_substitute",
    ],
    "csw.deduction": ["action_submit", "action_approve", "action_post", "action_cancel", "action_draft"],
    "csw.callback": ["action_done", "action_record_unreachable", "action_cancel"],
    "csw.subcontract": ["action_activate", "action_close", "action_cancel", "action_draft", "action_release_retention"],
}
# actions refused on records of a terminal state, whoever asks
TERMINAL = {
    "posted_deduction": ("csw.deduction", ["action_submit", "action_approve", "action_post", "action_draft"]),
    "done_callback": ("csw.callback", ["action_done", "action_record_unreachable"]),
    "verified_order": (
        "csw.repair.order",
        ["action_notify", "action_start", "action_done", "action_substitute", "action_cancel"],
    ),
    "cancelled_ticket": ("csw.ticket", ["action_start", "action_wait", "action_resolve", "action_close"]),
}

TEXT = st.text(max_size=40)
JUNK = st.one_of(
    st.lists(st.integers(), min_size=1, max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), min_size=1, max_size=2),
)
BAD_NUMBER = st.one_of(
    st.text(min_size=1, max_size=10).filter(lambda s: not _is_number(s)),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    JUNK,
)
BAD_DATE = st.one_of(
    st.text(min_size=1, max_size=25).filter(lambda s: not re.match(r"^\d{4}-\d\d-\d\d", s)),
    st.sampled_from(["2025-02-30", "2025-13-01", "0000-00-00", "99999-01-01", "2025-01-01 25:61:00", "2025-1-1x"]),
    st.integers(),
    JUNK,
)
BAD_COMMANDS = st.one_of(
    st.sampled_from([[(7, 0, 0)], [(4, "x")], [(6, 0, ["a"])], [(0, 0, "notadict")], [(3,)], [(-1, 1)], [None]]),
    st.text(min_size=1, max_size=10),
    st.integers(),
    st.lists(st.text(min_size=1, max_size=5), min_size=1, max_size=3),
)
HUGE_INT = st.one_of(st.integers(min_value=2**31), st.integers(max_value=-(2**31) - 1))


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def bad_values(field, name, foreign_ids):
    """A strategy of values ``field`` (from fields_get) must refuse."""
    kind = field["type"]
    if kind in ("char", "text", "html"):
        return st.one_of(st.integers(), st.floats(), JUNK)
    if kind == "integer":
        return st.one_of(
            BAD_NUMBER, HUGE_INT, st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f))
        )
    if kind in ("float", "monetary"):
        strategies = [BAD_NUMBER, st.floats(min_value=1e13, allow_infinity=False), st.floats(max_value=-1e13)]
        if kind == "monetary" or re.search(r"percent|hours|days|rate", name):
            strategies.append(st.floats(max_value=-0.01, min_value=-1e6))
        return st.one_of(*strategies)
    if kind == "selection":
        keys = {key for key, _label in field.get("selection") or []}
        return st.one_of(st.text(max_size=12).filter(lambda s: s not in keys), st.integers(), JUNK)
    if kind == "many2one":
        strategies = [
            st.text(min_size=1, max_size=10),
            st.integers(max_value=-1),
            st.just(2**31 - 1),
            HUGE_INT,
            st.floats(allow_nan=True).filter(lambda f: f != int(f) if math.isfinite(f) else True),
            st.lists(st.integers(), max_size=3),
        ]
        if field.get("relation") in foreign_ids:
            strategies.append(st.just(foreign_ids[field["relation"]]))
        return st.one_of(*strategies)
    if kind in ("many2many", "one2many"):
        return BAD_COMMANDS
    if kind == "date":
        return BAD_DATE
    if kind == "datetime":
        return BAD_DATE
    return None


class Fuzzer:
    def __init__(self, server, db, data):
        self.server = server
        self.db = db
        self.data = data
        password = data["password"]
        self.clients = {
            login: Client(server.url, db, login, password)
            for login in ("rel_agent", "rel_manager", "rel_accountant", "rel_owner", "rel_team", "rel_other_agent")
        }
        self.cases = 0
        self.refusals = Counter()
        self.by_family = Counter()
        self.accepted = []
        self.changed = []
        self.internal = []
        self.other = []
        self.digest = None

    # ------------------------------------------------------------------
    def digest_now(self):
        tables = [
            "csw_ticket",
            "csw_repair_order",
            "csw_deduction",
            "csw_callback",
            "csw_project",
            "csw_unit",
            "csw_subcontract",
            "csw_defect_category",
            "csw_sla_policy",
            "csw_assessment",
            "csw_callback_plan",
            "account_move",
            "account_move_line",
            "mail_activity",
        ]
        parts = [f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {t} t)" for t in tables]
        parts.append(
            "(SELECT count(*) || '/' || coalesce(max(id), 0) FROM ir_attachment "
            "WHERE url IS NULL OR url NOT LIKE '/web/assets/%%')"
        )
        parts.append("(SELECT count(*) || '/' || coalesce(max(id), 0) FROM mail_message)")
        return self.server.sql("SELECT " + ", ".join(parts))[0]

    def prepare(self):
        """Records of every state the actions are tried on, and the other company's ids."""
        d = self.data
        estate = d["estates"][0]
        agent, manager, accountant = (self.clients[k] for k in ("rel_agent", "rel_manager", "rel_accountant"))
        self.values = {
            "unit": estate["unit"],
            "project": estate["project"],
            "subcontract": estate["subcontract"],
            "team": estate["team"],
            "owner_partner": d["owner_partner"],
            "category": d["category"],
            "company": d["company"],
            "agent": d["agent"],
        }
        foreign = d["foreign"]
        other_agent = self.clients["rel_other_agent"]
        foreign_ticket = other_agent.call("csw.ticket", "create", {"name": "海岸工单", "unit_id": foreign["unit"]})
        self.foreign_ids = {
            "csw.unit": foreign["unit"],
            "csw.project": foreign["project"],
            "csw.subcontract": foreign["subcontract"],
            "csw.ticket": foreign_ticket,
            "res.company": d["other_company"],
        }
        self.records = {}
        ticket = agent.call(
            "csw.ticket",
            "create",
            {"name": "主卫渗水", "unit_id": estate["unit"], "partner_id": d["owner_partner"], "ticket_type": "repair"},
        )
        self.records["ticket"] = ticket
        other_ticket = agent.call(
            "csw.ticket",
            "create",
            {"name": "李女士的报修", "unit_id": d["other_owner_unit"], "partner_id": d["other_owner_partner"]},
        )
        self.records["other_owner_ticket"] = other_ticket
        cancelled = agent.call("csw.ticket", "create", {"name": "重复来电", "unit_id": estate["unit"]})
        agent.call("csw.ticket", "action_cancel", [cancelled])
        self.records["cancelled_ticket"] = cancelled
        order = agent.call("csw.repair.order", "create", MODELS["csw.repair.order"][1](self.values))
        self.records["order"] = order
        verified = agent.call("csw.repair.order", "create", MODELS["csw.repair.order"][1](self.values))
        agent.call("csw.repair.order", "action_notify", [verified])
        agent.call("csw.repair.order", "write", [verified], {"completion_note": "已修复"})
        agent.call("csw.repair.order", "action_done", [verified])
        agent.call("csw.repair.order", "action_verify", [verified])
        self.records["verified_order"] = verified
        callback = agent.call("csw.callback", "search", [("repair_order_id", "=", verified)])[0]
        agent.call("csw.callback", "write", [callback], {"result": "reached", "satisfaction": "5"})
        agent.call("csw.callback", "action_done", [callback])
        self.records["done_callback"] = callback
        self.records["callback"] = agent.call("csw.callback", "create", MODELS["csw.callback"][1](self.values))
        substitute = agent.call("csw.repair.order", "create", MODELS["csw.repair.order"][1](self.values))
        agent.call("csw.repair.order", "action_notify", [substitute])
        agent.call(
            "csw.repair.order", "write", [substitute], {"substitute_partner_id": d["repairer"], "substitute_cost": 800}
        )
        agent.call("csw.repair.order", "action_substitute", [substitute])
        deduction = agent.call("csw.repair.order", "read", [substitute], ["deduction_id"])[0]["deduction_id"][0]
        agent.call(
            "csw.deduction",
            "write",
            [deduction],
            {"evidence_photo_ids": [(4, d["evidence"])], "evidence_notice_ids": [(4, d["evidence"])]},
        )
        agent.call("csw.deduction", "action_submit", [deduction])
        manager.call("csw.deduction", "action_approve", [deduction])
        accountant.call("csw.deduction", "action_post", [deduction])
        self.records["posted_deduction"] = deduction
        self.records["draft_deduction"] = agent.call(
            "csw.deduction", "create", {"subcontract_id": estate["subcontract"]}
        )
        # fields of every model, as the client sees them
        self.fields = {}
        for model in MODELS:
            described = manager.call(
                model, "fields_get", attributes=["type", "readonly", "store", "selection", "relation", "related"]
            )
            self.fields[model] = {
                name: f
                for name, f in described.items()
                if f.get("store")
                and not f.get("readonly")
                and not f.get("related")
                and bad_values(f, name, self.foreign_ids) is not None
                and not name.startswith(("message_", "activity_", "website_message", "access_"))
            }
        # the writes go to records of their own: an accepted value must not spoil the other checks
        project = manager.call(
            "csw.project",
            "create",
            {"name": "模糊测试", "code": "FUZZW", "company_id": d["company"], "completion_date": "2024-01-10"},
        )
        self.existing = {
            "csw.ticket": ticket,
            "csw.repair.order": order,
            "csw.callback": self.records["callback"],
            "csw.deduction": self.records["draft_deduction"],
            "csw.project": project,
            "csw.unit": manager.call("csw.unit", "create", {"name": "F-1-101", "project_id": project}),
            "csw.subcontract": manager.call(
                "csw.subcontract", "create", {"name": "FUZZW-001", "partner_id": estate["team"], "project_id": project}
            ),
            "csw.defect.category": manager.call(
                "csw.defect.category", "create", {"name": "模糊", "parent_id": d["category"]}
            ),
        }
        self.digest = self.digest_now()

    # ------------------------------------------------------------------
    def run_case(self, family, login, model, method, args, kwargs=None, expect_refusal=True):
        self.cases += 1
        self.by_family[family] += 1
        client = self.clients[login]
        label = f"{family}: {login} {model}.{method}{_short(args)}"
        try:
            client.call(model, method, *args, **(kwargs or {}))
        except RpcError as exc:
            after = self.digest_now()
            if exc.outcome == "refused":
                self.refusals[exc.name.rsplit(".", 1)[-1]] += 1
                if after != self.digest:
                    self.changed.append(label)
                    self.digest = after
            elif exc.outcome == "internal":
                self.internal.append(f"{label} -> {exc.name}: {exc.message[:200]}")
                self.digest = after
            else:
                self.other.append(f"{label} -> {exc.outcome} {exc.name}")
                self.digest = after
            return
        self.accepted.append(label)
        self.digest = self.digest_now()

    def families(self):
        models_with_fields = [m for m in MODELS if self.fields[m]]

        @st.composite
        def create_case(draw):
            model = draw(st.sampled_from(models_with_fields))
            name = draw(st.sampled_from(sorted(self.fields[model])))
            value = draw(bad_values(self.fields[model][name], name, self.foreign_ids))
            login, base = MODELS[model]
            vals = {**base(self.values), name: value}
            return ("create: bad value", login, model, "create", [vals])

        @st.composite
        def write_case(draw):
            model = draw(st.sampled_from([m for m in models_with_fields if m in self.existing]))
            name = draw(st.sampled_from(sorted(self.fields[model])))
            value = draw(bad_values(self.fields[model][name], name, self.foreign_ids))
            return ("write: bad value", MODELS[model][0], model, "write", [[self.existing[model]], {name: value}])

        @st.composite
        def dates_out_of_order(draw):
            early = draw(
                st.dates(
                    min_value=__import__("datetime").date(2000, 1, 1), max_value=__import__("datetime").date(2040, 1, 1)
                )
            )
            gap = draw(st.integers(min_value=1, max_value=3000))
            late = early + __import__("datetime").timedelta(days=gap)
            kind = draw(st.sampled_from(["project", "unit", "callback"]))
            if kind == "project":
                vals = {
                    "name": "fuzz",
                    "code": "FZ",
                    "company_id": self.values["company"],
                    "completion_date": str(late),
                    "handover_date": str(early),
                }
                return ("dates out of order", "rel_manager", "csw.project", "create", [vals])
            if kind == "unit":
                # the estate was accepted on 2024-01-10: a handover before is refused
                day = __import__("datetime").date(2024, 1, 10) - __import__("datetime").timedelta(days=gap)
                return (
                    "dates out of order",
                    "rel_manager",
                    "csw.unit",
                    "write",
                    [[self.values["unit"]], {"handover_date": str(day)}],
                )
            return (
                "dates out of order",
                "rel_agent",
                "csw.callback",
                "write",
                [[self.records["callback"]], {"scheduled_date": f"{late} 10:00:00", "deadline": f"{early} 10:00:00"}],
            )

        @st.composite
        def other_company(draw):
            model = draw(st.sampled_from(["csw.ticket", "csw.repair.order", "csw.unit", "csw.subcontract"]))
            if model == "csw.ticket":
                case = draw(st.sampled_from(["create", "read", "write", "unlink", "action"]))
                ticket = self.foreign_ids["csw.ticket"]
                if case == "create":
                    return (
                        "other company",
                        "rel_agent",
                        model,
                        "create",
                        [{"name": "x", "unit_id": self.foreign_ids["csw.unit"]}],
                    )
                if case == "read":
                    return ("other company", "rel_agent", model, "read", [[ticket], ["name"]])
                if case == "write":
                    return ("other company", "rel_agent", model, "write", [[ticket], {"name": draw(TEXT)}])
                if case == "unlink":
                    return ("other company", "rel_agent", model, "unlink", [[ticket]])
                return ("other company", "rel_agent", model, draw(st.sampled_from(ACTIONS[model])), [[ticket]])
            if model == "csw.repair.order":
                return (
                    "other company",
                    "rel_agent",
                    model,
                    "create",
                    [{**MODELS[model][1](self.values), "unit_id": self.foreign_ids["csw.unit"]}],
                )
            if model == "csw.unit":
                return (
                    "other company",
                    "rel_manager",
                    model,
                    "create",
                    [{"name": draw(TEXT) or "x", "project_id": self.foreign_ids["csw.project"]}],
                )
            return (
                "other company",
                "rel_manager",
                model,
                "write",
                [[self.foreign_ids["csw.subcontract"]], {"amount": 1}],
            )

        @st.composite
        def portal_user(draw):
            login = draw(st.sampled_from(["rel_owner", "rel_team"]))
            target = draw(st.sampled_from(["other_owner_ticket", "ticket", "order", "callback", "posted_deduction"]))
            model = {
                "other_owner_ticket": "csw.ticket",
                "ticket": "csw.ticket",
                "order": "csw.repair.order",
                "callback": "csw.callback",
                "posted_deduction": "csw.deduction",
            }[target]
            record = self.records[target]
            operation = draw(st.sampled_from(["write", "unlink", "create", "action", "read"]))
            if operation == "read" and target not in ("other_owner_ticket", "posted_deduction"):
                # an owner reads their own homes' records: not hostile
                target, model = "other_owner_ticket", "csw.ticket"
                record = self.records[target]
            if operation == "write":
                return (
                    "portal: other owner / no right",
                    login,
                    model,
                    "write",
                    [[record], {"name": draw(TEXT)}] if model == "csw.ticket" else [[record], {"location": draw(TEXT)}],
                )
            if operation == "unlink":
                return ("portal: other owner / no right", login, model, "unlink", [[record]])
            if operation == "create":
                vals = {"name": draw(TEXT) or "x", "unit_id": self.data["other_owner_unit"]}
                return ("portal: other owner / no right", login, "csw.ticket", "create", [vals])
            if operation == "read":
                return ("portal: other owner / no right", login, model, "read", [[record], ["name"]])
            method = draw(st.sampled_from(ACTIONS.get(model, ["action_cancel"])))
            return ("portal: other owner / no right", login, model, method, [[record]])

        @st.composite
        def action_case(draw):
            kind = draw(st.sampled_from(["missing", "terminal", "role"]))
            if kind == "missing":
                model = draw(st.sampled_from(sorted(ACTIONS)))
                record = draw(st.one_of(st.integers(min_value=10**8, max_value=2**31 - 1), st.integers(max_value=-1)))
                return (
                    "action: missing record",
                    "rel_manager",
                    model,
                    draw(st.sampled_from(ACTIONS[model])),
                    [[record]],
                )
            if kind == "terminal":
                key = draw(st.sampled_from(sorted(TERMINAL)))
                model, methods = TERMINAL[key]
                login = draw(st.sampled_from(["rel_agent", "rel_manager", "rel_accountant"]))
                return ("action: wrong state", login, model, draw(st.sampled_from(methods)), [[self.records[key]]])
            # roles: an agent approving or posting, a manager without billing posting or cancelling a posted one
            login, method, key = draw(
                st.sampled_from(
                    [
                        ("rel_agent", "action_post", "posted_deduction"),
                        ("rel_agent", "action_cancel", "posted_deduction"),
                        ("rel_manager", "action_cancel", "posted_deduction"),
                        ("rel_agent", "action_approve", "draft_deduction"),
                        ("rel_agent", "unlink", "posted_deduction"),
                        ("rel_agent", "unlink", "verified_order"),
                    ]
                )
            )
            return (
                "action: role",
                login,
                "csw.deduction" if "deduction" in key else "csw.repair.order",
                method,
                [[self.records[key]]],
            )

        return st.one_of(
            create_case(),
            create_case(),
            write_case(),
            write_case(),
            dates_out_of_order(),
            other_company(),
            portal_user(),
            action_case(),
            action_case(),
        )

    def hypothesis_run(self, cases):
        @settings(
            max_examples=cases,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=["generate"],
        )
        @given(self.families())
        def one(case):
            family, login, model, method, args = case
            self.run_case(family, login, model, method, args)

        one()

    # ------------------------------------------------------------------
    def escaping(self):
        """HTML and script typed by a user come out escaped on the portal and in the PDFs."""
        problems = []
        payload = '<script>alert("csw")</script><img src=x onerror=alert(1)>'
        agent = self.clients["rel_agent"]
        estate = self.data["estates"][1]
        ticket = agent.call(
            "csw.ticket",
            "create",
            {
                "name": payload,
                "unit_id": estate["unit"],
                "partner_id": self.data["owner_partner"],
                "description": f"<p>渗水</p>{payload}",
                "location": payload,
            },
        )
        stored = agent.call("csw.ticket", "read", [ticket], ["description"])[0]["description"]
        if "<script" in stored or "onerror" in stored:
            problems.append(f"ticket description stored unsanitized: {stored!r}")
        order = agent.call(
            "csw.repair.order",
            "create",
            {
                **MODELS["csw.repair.order"][1](self.values),
                "unit_id": estate["unit"],
                "location": payload,
                "description": payload,
                "ticket_id": ticket,
            },
        )
        agent.call("csw.repair.order", "action_notify", [order])
        owner = portal_session(self.server.url, self.db, "rel_owner", self.data["password"])
        for path in (f"/my/tickets/{ticket}", "/my/tickets", f"/my/repairs/{order}", "/my/repairs"):
            page = owner.get(self.server.url + path, timeout=60)
            if page.status_code != 200:
                problems.append(f"portal {path}: HTTP {page.status_code}")
            elif _unescaped(page.text):
                problems.append(f"portal {path}: unescaped HTML from a user")
            elif "&lt;script&gt;" not in page.text and "csw" not in page.text:
                problems.append(f"portal {path}: the text is not shown at all")
        manager = portal_session(self.server.url, self.db, "rel_manager", self.data["password"])
        for report, record in (("report_repair_notice", order), ("report_deduction", self.records["posted_deduction"])):
            page = manager.get(
                f"{self.server.url}/report/html/customer_service_warranty.{report}/{record}", timeout=120
            )
            if page.status_code != 200:
                problems.append(f"report {report}: HTTP {page.status_code}")
            elif _unescaped(page.text):
                problems.append(f"report {report}: unescaped HTML from a user")
        return problems

    def portal_refusals(self):
        """Another owner's ids in portal URLs go back to /my; oversized or disguised uploads are refused."""
        problems = []
        owner = portal_session(self.server.url, self.db, "rel_owner", self.data["password"])
        for path in (
            f"/my/tickets/{self.records['other_owner_ticket']}",
            f"/my/homes/{self.data['other_owner_unit']}",
            f"/my/tickets/{self.foreign_ids['csw.ticket']}",
            f"/my/jobs/{self.records['order']}",
        ):
            page = owner.get(self.server.url + path, allow_redirects=False, timeout=60)
            if page.status_code not in (302, 303, 403, 404):
                problems.append(f"owner GET {path}: HTTP {page.status_code}, expected a redirect to /my")
        form = owner.get(f"{self.server.url}/my/repair-request", timeout=60)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        if not token:
            return [*problems, "portal repair-request form without a CSRF token"]
        before = self.digest_now()
        uploads = {
            "oversized": ("photo.jpg", b"\xff\xd8\xff\xe0" + b"0" * (11 * 1024 * 1024), "image/jpeg"),
            "disguised": ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
        }
        for label, upload in uploads.items():
            self.cases += 1
            self.by_family["portal upload"] += 1
            page = owner.post(
                f"{self.server.url}/my/repair-request",
                data={
                    "csrf_token": token.group(1),
                    "unit_id": str(self.values["unit"]),
                    "location": "主卫",
                    "description": "漏水",
                    "category_id": str(self.values["category"]),
                },
                files={"photos": upload},
                timeout=120,
            )
            after = self.digest_now()
            if page.status_code >= 500:
                problems.append(f"portal upload {label}: HTTP {page.status_code}")
                self.internal.append(f"portal upload {label}: HTTP {page.status_code}")
            elif after != before:
                problems.append(f"portal upload {label}: accepted (the database changed)")
                before = after
            else:
                self.refusals["portal upload refused"] += 1
        return problems


def portal_session(url, db, login, password):
    session = requests.Session()
    response = session.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": login, "password": password}},
        timeout=60,
    )
    response.raise_for_status()
    if "error" in response.json():
        raise RuntimeError(f"cannot log in as {login} on the portal")
    return session


def _unescaped(html):
    """Whether the escaping payload's tags came out as markup, not as text."""
    return "<script>alert" in html or "<img src=x onerror" in html


def _short(args):
    text = repr(args)
    return "(" + (text if len(text) < 160 else text[:157] + "...") + ")"


def run(report, server, db, data, cases):
    fuzzer = Fuzzer(server, db, data)
    fuzzer.prepare()
    fuzzer.hypothesis_run(cases)
    try:
        escaping = fuzzer.escaping()
    except (RpcError, requests.RequestException, RuntimeError) as exc:
        escaping = [f"the escaping check could not run: {exc}"]
    try:
        portal = fuzzer.portal_refusals()
    except (RpcError, requests.RequestException, RuntimeError) as exc:
        portal = [f"the portal check could not run: {exc}"]
    lines = [
        f"{fuzzer.cases} hostile inputs; by family: "
        + ", ".join(f"{k} {v}" for k, v in sorted(fuzzer.by_family.items())),
        "refused with: " + ", ".join(f"{k} {v}" for k, v in fuzzer.refusals.most_common()),
    ]
    lines += report.check("internal errors", fuzzer.internal)
    lines += report.check("hostile inputs accepted", fuzzer.accepted)
    lines += report.check("database changed by a refusal", fuzzer.changed)
    lines += report.check("other answers (conflict, unavailable)", fuzzer.other)
    lines += report.check("escaping on the portal and in the PDFs", escaping)
    lines += report.check("portal ids and uploads", portal)
    report.section("Hostile input", lines)
    return {
        "cases": fuzzer.cases,
        "refusals": fuzzer.refusals,
        "internal": len(fuzzer.internal),
        "accepted": len(fuzzer.accepted),
        "changed": len(fuzzer.changed),
    }
