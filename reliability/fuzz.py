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

import datetime
import math
import re
from collections import Counter
from xml.etree import ElementTree

import invariants
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
        "action_request_substitute",
        "action_substitute",
        "action_engage_emergency",
        "action_create_substitute_bill",
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

# ----------------------------------------------------------------------
# Tampering: valid values where a role's forms do not let it edit, actions out of turn
# ----------------------------------------------------------------------
# the internal roles, least privileged first (the portal users are the portal family's)
TAMPER_ROLES = ("rel_project_agent", "rel_agent", "rel_manager", "rel_accountant")
TECHNICAL_PREFIXES = ("message_", "activity_", "access_", "website_")
TECHNICAL_FIELDS = {"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"}
TAMPER_TYPES = {
    "char",
    "text",
    "html",
    "selection",
    "many2one",
    "many2many",
    "one2many",
    "date",
    "datetime",
    "integer",
    "float",
    "monetary",
    "boolean",
}
# (model or "*", field): why a role may set the field although its forms show it read-only
TAMPER_EXCLUDED = {
    ("*", "company_id"): "shown only to multi-company users (base.group_multi_company): a user of one company "
    "can only give their own, and another company's id is the hostile family's 'other company' case",
    ("*", "active"): "archived and restored with the form's Action menu (Archive, Unarchive) by anyone who may edit",
    ("csw.ticket", "email_cc"): "mail.thread.cc's copy list: kept by the mail gateway and the chatter, not the form",
}
# a list of records the role may link from the other side: linking it writes the linked
# record's inverse relation, which that record's own form lets the role edit
OTHER_SIDE = object()
# actions that change nothing whatever the state (they open a view): not part of the workflow
NOT_TRANSITIONS = {
    ("csw.ticket", "action_new_repair_order"): "opens a new repair order's form with the ticket's defaults",
}
# fields only their actions set, given as default_<field> context keys on create (security review H7)
FORGED_DEFAULTS = {
    "csw.ticket": lambda v: {
        "state": "resolved",
        "number": "KF-FORGED",
        "first_response_date": "2025-01-01 00:00:00",
        "sla_state": "on_track",
        "escalation_level": 2,
    },
    "csw.repair.order": lambda v: {
        "state": "verified",
        "name": "WX-FORGED",
        "is_substitute": True,
        "verified_date": "2025-01-01 00:00:00",
        "reopen_count": 3,
    },
    "csw.deduction": lambda v: {
        "state": "approved",
        "approved_uid": v["agent"],
        "approved_date": "2025-01-01 00:00:00",
        "name": "KK-FORGED",
    },
    "csw.callback": lambda v: {"state": "done", "done_date": "2025-01-01 00:00:00", "attempt_count": 3},
    "csw.subcontract": lambda v: {"retention_released": True, "retention_release_date": "2025-01-01"},
}


# the public methods of the addon's models that take values, called on a prepared record with
# values a client chooses: (model, state of the record, method, args after the ids, kwargs)
def public_methods_with_values(v):
    forged_ticket = {"number": "KF-FORGED", "first_response_date": "2020-01-01 00:00:00", "is_justified": True}
    return [
        ("csw.ticket", "waiting", "message_update", [{}], {"update_vals": forged_ticket}),
        ("csw.ticket", "new", "message_update", [{}], {"update_vals": {"state": "closed"}}),
        ("csw.ticket", "new", "message_update", [{}], {"update_vals": {"received_date": "2020-01-01 00:00:00"}}),
        (
            "csw.repair.order",
            "draft",
            "action_record_emergency",
            ["2099-01-01 08:00:00", "2099-01-01 10:00:00"],
            {},
        ),
    ]


# the states the workflow models are prepared in: {model: {state: the actions leading there, and
# who clicks}}; the other models are tried in the state they are created in

TAMPER_STATES = {
    "csw.ticket": {
        "new": [],
        "in_progress": [("rel_agent", "action_start")],
        "waiting": [("rel_agent", "action_wait")],
        "resolved": [("rel_agent", "action_start"), ("rel_agent", "action_resolve")],
        "closed": [("rel_agent", "action_start"), ("rel_agent", "action_resolve"), ("rel_agent", "action_close")],
        "cancelled": [("rel_agent", "action_cancel")],
    },
    "csw.repair.order": {
        "draft": [],
        "notified": [("rel_agent", "action_notify")],
        "in_progress": [("rel_agent", "action_notify"), ("rel_agent", "action_start")],
        "done": [("rel_agent", "action_notify"), ("rel_agent", "action_done")],
        "verified": [
            ("rel_agent", "action_notify"),
            ("rel_agent", "action_done"),
            ("rel_agent", "action_verify"),
        ],
        "cancelled": [("rel_agent", "action_cancel")],
    },
    "csw.deduction": {
        "draft": [],
        "submitted": [("rel_agent", "action_submit")],
        "approved": [("rel_agent", "action_submit"), ("rel_manager", "action_approve")],
        "posted": [
            ("rel_agent", "action_submit"),
            ("rel_manager", "action_approve"),
            ("rel_accountant", "action_post"),
        ],
        "cancelled": [("rel_agent", "action_cancel")],
        "cancelled after posting": [
            ("rel_agent", "action_submit"),
            ("rel_manager", "action_approve"),
            ("rel_accountant", "action_post"),
            ("rel_accountant", "action_cancel"),
        ],
    },
    "csw.callback": {
        "planned": [],
        "done": [("rel_agent", "action_done")],
        # no answer, as many times as the company allows attempts
        "failed": [("rel_agent", "action_record_unreachable", "until failed")],
        "cancelled": [("rel_agent", "action_cancel")],
    },
    "csw.subcontract": {
        "draft": [],
        "active": [("rel_manager", "action_activate")],
        "closed": [("rel_manager", "action_activate"), ("rel_manager", "action_close")],
        "cancelled": [("rel_manager", "action_cancel")],
    },
}
# what an action needs written first (by the same user) to go through
ACTION_NEEDS = {
    ("csw.ticket", "action_resolve"): lambda d: {"resolution": "<p>已上门处理</p>"},
    ("csw.repair.order", "action_done"): lambda d: {"completion_note": "已修复，闭水试验合格"},
    ("csw.repair.order", "action_request_substitute"): lambda d: {
        "substitute_partner_id": d["repairer"],
        "estimated_cost": 800,
    },
    ("csw.repair.order", "action_engage_emergency"): lambda d: {
        "substitute_partner_id": d["repairer"],
        "emergency_engage_reason": "渗漏严重，业主无法使用卫生间",
    },
    ("csw.callback", "action_done"): lambda d: {"result": "reached", "satisfaction": "5"},
    ("csw.repair.order", "action_cancel"): lambda d: {"cancel_reason": "业主自行维修"},
    ("csw.callback", "action_cancel"): lambda d: {"cancel_reason": "业主已出售房屋"},
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
            for login in (
                "rel_project_agent",
                "rel_agent",
                "rel_manager",
                "rel_accountant",
                "rel_owner",
                "rel_team",
                "rel_other_agent",
            )
        }
        self.cases = 0
        self.refusals = Counter()
        self.by_family = Counter()
        self.accepted = []
        self.changed = []
        self.internal = []
        self.other = []
        self.digest = None
        # the tamper family: fields without another valid value, the first clicks of "twice"
        self.tamper_skipped = Counter()
        self.tamper_other_side = Counter()
        self.tamper_problems = []
        self.first_calls = Counter()
        self.first_refusals = []

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
        # request first (代维修请示): the estimate approved, then the substitute team engaged and done
        agent.call(
            "csw.repair.order", "write", [substitute], {"substitute_partner_id": d["repairer"], "estimated_cost": 800}
        )
        agent.call("csw.repair.order", "action_request_substitute", [substitute])
        deduction = agent.call("csw.repair.order", "read", [substitute], ["deduction_id"])[0]["deduction_id"][0]
        agent.call(
            "csw.deduction",
            "write",
            [deduction],
            {"evidence_photo_ids": [(4, d["evidence"])], "evidence_notice_ids": [(4, d["evidence"])]},
        )
        agent.call("csw.deduction", "action_submit", [deduction])
        manager.call("csw.deduction", "action_approve", [deduction])
        agent.call("csw.repair.order", "action_substitute", [substitute])
        agent.call("csw.repair.order", "write", [substitute], {"substitute_cost": 800, "completion_note": "已修复"})
        agent.call("csw.repair.order", "action_done", [substitute])
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
    def run_case(self, family, login, model, method, args, kwargs=None, expect_refusal=True, note=None):
        self.cases += 1
        self.by_family[family] += 1
        client = self.clients[login]
        label = f"{family}: {login} {model}.{method}{_short(args)}" + (f" [{note}]" if note else "")
        try:
            client.call(model, method, *args, **(kwargs or {}))
        except RpcError as exc:
            after = self.digest_now()
            if exc.outcome == "refused":
                self.refusals[exc.name.rsplit(".", 1)[-1]] += 1
                if after != self.digest:
                    self.changed.append(label)
                    print(f"   ! refused but changed: {label[:300]}", flush=True)
                    self.digest = after
            elif exc.outcome == "internal":
                self.internal.append(f"{label} -> {exc.name}: {exc.message[:200]}")
                self.digest = after
            else:
                self.other.append(f"{label} -> {exc.outcome} {exc.name}")
                self.digest = after
            return
        self.accepted.append(label)
        print(f"   ! accepted: {label[:300]}", flush=True)
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

    # ------------------------------------------------------------------
    # Tampering: valid values where the forms do not let a role edit, actions out of turn
    # ------------------------------------------------------------------
    def prepare_tamper(self):
        """An estate of the family's own (the project agent a member of it) and a record of
        every model in every state of its workflow."""
        d = self.data
        manager, accountant = self.clients["rel_manager"], self.clients["rel_accountant"]
        waterproofing = manager.call("csw.defect.category", "read", [d["category"]], ["parent_id"])[0]["parent_id"][0]
        project = manager.call(
            "csw.project",
            "create",
            {
                "name": "篡改测试花园",
                "code": "TAMPER",
                "company_id": d["company"],
                "completion_date": "2024-01-10",
                "handover_date": "2024-06-01",
                "cs_user_id": d["agent"],
                "member_ids": [(4, d["project_agent"])],
            },
        )
        team = d["estates"][0]["team"]
        unit = manager.call(
            "csw.unit",
            "create",
            {"name": "T-1-101", "project_id": project, "owner_id": d["owner_partner"], "handover_date": "2024-06-01"},
        )
        subcontract = manager.call(
            "csw.subcontract",
            "create",
            {
                "name": "TAMPER-FB-001",
                "partner_id": team,
                "project_id": project,
                "category_ids": [(6, 0, [waterproofing])],
                "amount": 1_000_000,
                "agency_fee_percent": 50,
                "entry_hours": 24,
            },
        )
        manager.call("csw.subcontract", "action_activate", [subcontract])
        self.tamper_values = {
            "project": project,
            "unit": unit,
            "subcontract": subcontract,
            "team": team,
            "owner_partner": d["owner_partner"],
            "category": d["category"],
            "company": d["company"],
            "agent": d["agent"],
            "repairer": d["repairer"],
            "evidence": d["evidence"],
        }
        self.tamper_serial = 0
        self.views = {}
        self.record_cache = {}
        self.relation_fields = {}
        # the fields tampered with: stored, not technical, of a type a form edits
        self.all_fields, self.tamper_fields = {}, {}
        for model in MODELS:
            described = accountant.call(
                model, "fields_get", attributes=["type", "readonly", "store", "selection", "relation", "relation_field"]
            )
            self.all_fields[model] = described
            self.tamper_fields[model] = {
                name: field
                for name, field in described.items()
                if field.get("store")
                and field["type"] in TAMPER_TYPES
                and name not in TECHNICAL_FIELDS
                and not name.startswith(TECHNICAL_PREFIXES)
            }
        self.tamper_records = {}
        for model in MODELS:
            for state in TAMPER_STATES.get(model, {"as created": []}):
                record = self.tamper_build(model, state)
                if record:
                    self.tamper_records[model, state] = record
        self.digest = self.digest_now()

    def tamper_build(self, model, state):
        """A new record of ``model`` in ``state``, brought there by its buttons (None, and a
        problem reported, when a step is refused)."""
        try:
            return self._tamper_build(model, state)
        except RpcError as exc:
            self.tamper_problems.append(f"{model} [{state}]: {exc.outcome} {exc.name}: {exc.message[:200]}")
            return None

    def _tamper_build(self, model, state):
        self.tamper_serial += 1
        n, v = self.tamper_serial, self.tamper_values
        login, vals = {
            "csw.ticket": (
                "rel_agent",
                {
                    "name": f"篡改测试{n}",
                    "unit_id": v["unit"],
                    "partner_id": v["owner_partner"],
                    "ticket_type": "repair",
                },
            ),
            "csw.repair.order": (
                "rel_agent",
                {
                    "unit_id": v["unit"],
                    "location": f"主卫{n}",
                    "category_id": v["category"],
                    "notify_method": "written",
                },
            ),
            "csw.deduction": (
                "rel_agent",
                {
                    "subcontract_id": v["subcontract"],
                    "reason": "incapable",
                    "substitute_cost": 800,
                    "evidence_photo_ids": [(4, v["evidence"])],
                    "evidence_notice_ids": [(4, v["evidence"])],
                    "evidence_contact_form_ids": [(4, v["evidence"])],
                    "evidence_plan_ids": [(4, v["evidence"])],
                },
            ),
            "csw.callback": (
                "rel_agent",
                {"callback_type": "periodic", "unit_id": v["unit"], "deadline": "2030-01-01 00:00:00"},
            ),
            "csw.subcontract": (
                "rel_manager",
                {
                    "name": f"TAMPER-{n:03d}",
                    "partner_id": v["team"],
                    "project_id": v["project"],
                    "amount": 100_000,
                    "agency_fee_percent": 50,
                    "entry_hours": 24,
                },
            ),
            "csw.project": (
                "rel_manager",
                {"name": f"篡改{n}期", "code": f"TMP{n}", "company_id": v["company"], "completion_date": "2024-01-10"},
            ),
            "csw.unit": ("rel_manager", {"name": f"T-{n}-101", "project_id": v["project"]}),
            "csw.defect.category": ("rel_manager", {"name": f"篡改{n}", "parent_id": v["category"]}),
            "csw.sla.policy": (
                "rel_manager",
                {"name": f"篡改{n}", "ticket_type": "complaint", "response_hours": 4, "resolve_hours": 24},
            ),
            "csw.assessment": ("rel_manager", {"user_id": v["agent"], "reason": "praise"}),
            "csw.callback.plan": ("rel_manager", {"name": f"篡改{n}"}),
        }[model]
        record = self.clients[login].call(model, "create", vals)
        for login, action, *until in TAMPER_STATES.get(model, {}).get(state, []):
            client = self.clients[login]
            needs = ACTION_NEEDS.get((model, action))
            for attempt in range(10):
                if attempt and until:
                    # the next attempt is due only after the retry hours: bring them to now
                    self.server.sql(
                        "UPDATE csw_callback SET scheduled_date = (now() AT TIME ZONE 'UTC') - interval '1 minute' "
                        "WHERE id = %s",
                        [record],
                    )
                if needs:
                    client.call(model, "write", [record], needs(v))
                client.call(model, action, [record])
                if not until or client.call(model, "read", [record], ["state"])[0]["state"] != "planned":
                    break
        return record

    def record_values(self, model, record):
        """The record's values as the form's expressions see them (a relation is its id or ids)."""
        if record not in self.record_cache.setdefault(model, {}):
            names = [name for name, field in self.all_fields[model].items() if field["type"] != "binary"]
            row = self.clients["rel_accountant"].call(model, "read", [record], names)[0]
            self.record_cache[model][record] = {
                name: value[0]
                if isinstance(value, list) and self.all_fields[model][name]["type"] == "many2one"
                else value
                for name, value in row.items()
            }
        return self.record_cache[model][record]

    def view_rules(self, login, model):
        """What the role's form and editable list of ``model`` offer: ``editable`` (the form),
        ``fields`` {name: [readonly expression or None, per occurrence]}, ``buttons`` {name:
        [invisible expression, per occurrence]}, ``described`` (the fields as the views give them)."""
        if (login, model) not in self.views:
            try:
                got = self.clients[login].call(model, "get_views", [[False, "form"], [False, "list"]])
            except RpcError as exc:
                if exc.outcome != "refused":
                    raise
                got = None  # the role cannot even open the model
            self.views[login, model] = parse_views(got, model)
        return self.views[login, model]

    def expression_fields(self, model):
        """The fields the views' readonly and invisible expressions of ``model`` read, any role."""
        names = set()
        for login in TAMPER_ROLES:
            rules = self.view_rules(login, model)
            for expression in rules["expressions"]:
                names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression))
        return names

    def evaluation_context(self, login, model, record):
        client = self.clients[login]
        if client.uid is None:
            client.authenticate()
        now = datetime.datetime.now(datetime.timezone.utc)
        return {
            **self.record_values(model, record),
            "id": record,
            "uid": client.uid,
            "context": {},
            "current_company_id": self.data["company"],
            "allowed_company_ids": [self.data["company"]],
            "today": now.strftime("%Y-%m-%d"),
            "now": now.strftime("%Y-%m-%d %H:%M:%S"),
        }

    def locked_fields(self, login, model, record):
        """The fields the role's views do not let it edit on the record as it is now."""
        rules = self.view_rules(login, model)
        context = self.evaluation_context(login, model, record)
        locked = []
        for name, field in self.tamper_fields[model].items():
            if rules["editable"] and name in rules["fields"]:
                readonly = rules["described"].get(name, field).get("readonly", False)
                if not all(
                    _evaluate(expr, context) if expr is not None else readonly for expr in rules["fields"][name]
                ):
                    continue
            locked.append(name)
        return locked

    def button_roles(self, model, action, record):
        """The roles whose views show the action's button on the record, least privileged first."""
        roles = []
        for login in TAMPER_ROLES:
            buttons = self.view_rules(login, model)["buttons"].get(action, [])
            if buttons:
                context = self.evaluation_context(login, model, record)
                if any(not _evaluate(expr, context) for expr in buttons):
                    roles.append(login)
        return roles

    def valid_value(self, login, model, name, current):
        """A value the field accepts from a form (None when there is no other one)."""
        field = self.tamper_fields[model][name]
        kind = field["type"]
        if kind == "boolean":
            return not current
        if kind in ("integer", "float", "monetary"):
            return 3 if current != 3 else 4
        if kind in ("char", "text"):
            return "篡改" if current != "篡改" else "篡改二"
        if kind == "html":
            return "<p>篡改</p>"
        if kind == "selection":
            keys = [key for key, _label in field.get("selection") or [] if key != current]
            return keys[0] if keys else None
        if kind == "date":
            day = datetime.date.fromisoformat(current) if current else datetime.date(2025, 3, 15)
            return str(day + datetime.timedelta(days=1))
        if kind == "datetime":
            moment = (
                datetime.datetime.strptime(current, "%Y-%m-%d %H:%M:%S")
                if current
                else datetime.datetime(2025, 3, 15, 10, 0)
            )
            return (moment + datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S")
        if kind == "many2one":
            return self.other_record(login, field["relation"], [current] if current else [])
        other = self.other_record(login, field["relation"], current or [])
        if other and kind == "one2many" and self.editable_other_side(login, field, other):
            return OTHER_SIDE
        return [(4, other)] if other else None

    def editable_other_side(self, login, field, other):
        """Whether the role's forms of the linked record let it edit the record's inverse field."""
        comodel, inverse = field["relation"], field.get("relation_field")
        if comodel not in MODELS or not inverse:
            return False
        return inverse not in self.locked_fields(login, comodel, other)

    def other_record(self, login, comodel, exclude):
        """Another record of ``comodel`` of the company (or shared) the role can read, or None."""
        if comodel not in self.relation_fields:
            self.relation_fields[comodel] = self.clients["rel_accountant"].call(
                comodel, "fields_get", attributes=["type"]
            )
        domain = [("id", "not in", list(exclude))]
        if "company_id" in self.relation_fields[comodel]:
            domain += ["|", ("company_id", "=", False), ("company_id", "=", self.data["company"])]
        try:
            found = self.clients[login].call(comodel, "search", domain, limit=1, order="id")
        except RpcError as exc:
            if exc.outcome != "refused":
                raise
            return None
        return found[0] if found else None

    def tamper_case(self, family, login, model, state, method, args):
        """One case on the prepared record of (model, state); when the case went through, the
        record is read again, or built again if what changed decides what its forms allow."""
        before = (len(self.accepted), len(self.changed), len(self.internal), len(self.other))
        self.run_case(family, login, model, method, args, note=state)
        if (len(self.accepted), len(self.changed), len(self.internal), len(self.other)) == before:
            return
        self.record_cache.get(model, {}).pop(args[0][0], None)
        if method == "write" and not set(args[1]) & self.expression_fields(model):
            self.digest = self.digest_now()
            return
        record = self.tamper_build(model, state)
        if record:
            self.tamper_records[model, state] = record
        else:
            self.tamper_records.pop((model, state), None)
        self.digest = self.digest_now()

    def tamper_fields_family(self):
        """Every role writes a valid value to each field its views do not let it edit."""
        for model in MODELS:
            for state in TAMPER_STATES.get(model, {"as created": []}):
                for login in TAMPER_ROLES:
                    record = self.tamper_records.get((model, state))
                    if not record:
                        continue  # it could not be prepared: reported
                    locked = [
                        name
                        for name in self.locked_fields(login, model, record)
                        if (model, name) not in TAMPER_EXCLUDED and ("*", name) not in TAMPER_EXCLUDED
                    ]
                    values = {}
                    for name in locked:
                        value = self.valid_value(login, model, name, self.record_values(model, record)[name])
                        if value is OTHER_SIDE:
                            self.tamper_other_side[f"{model}.{name}"] += 1
                        elif value is None:
                            self.tamper_skipped[f"{model}.{name}"] += 1
                        else:
                            values[name] = value
                    if not self.view_rules(login, model)["editable"]:
                        # the role may not edit the model at all: one write of everything
                        if values:
                            self.tamper_case("tamper: read-only form", login, model, state, "write", [[record], values])
                        continue
                    for name, value in values.items():
                        record = self.tamper_records.get((model, state))
                        if not record:
                            break
                        self.tamper_case("tamper: field", login, model, state, "write", [[record], {name: value}])

    def tamper_actions_family(self):
        """Each action on a record of each state whose form does not offer it; each action
        offered, twice in a row on a fresh record (the second must change nothing)."""
        for model, states in TAMPER_STATES.items():
            for state in states:
                for action in ACTIONS[model]:
                    if (model, action) in NOT_TRANSITIONS:
                        continue
                    record = self.tamper_records.get((model, state))
                    if not record:
                        continue
                    roles = self.button_roles(model, action, record)
                    if not roles:
                        self.tamper_case(
                            "tamper: action in a wrong state", "rel_accountant", model, state, action, [[record]]
                        )
                        continue
                    fresh = self.tamper_build(model, state)
                    if not fresh:
                        continue
                    # the first click by the least privileged role it goes through for (a button
                    # may be shown to a role the action then refuses: a manager's approval)
                    refusals = []
                    for login in roles:
                        client = self.clients[login]
                        try:
                            needs = ACTION_NEEDS.get((model, action))
                            if needs:
                                client.call(model, "write", [fresh], needs(self.tamper_values))
                            client.call(model, action, [fresh])
                        except RpcError as exc:
                            if exc.outcome != "refused":
                                self.other.append(f"{login} {model}.{action} [{state}], first click: {exc.name}")
                            refusals.append(f"{login} {model}.{action} [{state}]: {exc.message[:120]}")
                            continue
                        self.first_calls["done"] += 1
                        break
                    else:
                        self.first_calls["refused"] += 1
                        self.first_refusals += refusals
                    self.digest = self.digest_now()
                    self.run_case(
                        "tamper: action twice", login, model, action, [[fresh]], note=f"{state}, second click"
                    )

    def tamper_defaults_family(self):
        """Every role creates each workflow model with a ``default_<field>`` context key of a
        field only its actions set: refused, nothing created."""
        v = self.tamper_values
        for model, defaults in FORGED_DEFAULTS.items():
            base = MODELS[model][1](v)
            for name, value in defaults(v).items():
                for login in TAMPER_ROLES:
                    self.run_case(
                        "tamper: create with a context default",
                        login,
                        model,
                        "create",
                        [base],
                        kwargs={"context": {f"default_{name}": value}},
                        note=name,
                    )

    def tamper_public_methods_family(self):
        """Every role calls each public method of the addon's models that takes values, with
        values of its choosing: refused, nothing changed."""
        for model, state, method, args, kwargs in public_methods_with_values(self.tamper_values):
            record = self.tamper_records.get((model, state))
            if not record:
                continue
            for login in TAMPER_ROLES:
                self.run_case(
                    "tamper: public method with values", login, model, method, [[record], *args], kwargs, note=state
                )


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


def parse_views(got, model):
    """The fields a form (or an editable list) offers, with their readonly expressions, and
    the object buttons with their invisible expressions, from ``get_views`` as a user."""
    rules = {"editable": False, "fields": {}, "buttons": {}, "described": {}, "expressions": set()}
    if not got:
        return rules
    described = got["models"][model]
    rules["described"] = described.get("fields", described)
    for kind in ("form", "list"):
        root = ElementTree.fromstring(got["views"][kind]["arch"])
        editable = root.get("edit", "1").lower() not in ("0", "false")
        if kind == "form":
            rules["editable"] = editable
        _walk_view(root, rules, editable and (kind == "form" or bool(root.get("editable"))))
    return rules


def _walk_view(node, rules, inputs, hidden=False):
    for child in node:
        hidden_here = hidden or any(_always(child.get(attr)) for attr in ("invisible", "column_invisible"))
        if child.tag == "field":
            # a field's children are the views of its relation, not fields of this model; a
            # list's drag handle reorders the records even when the list is not editable
            if (inputs or child.get("widget") == "handle") and not hidden_here:
                readonly = child.get("readonly")
                if child.get("widget") == "statusbar" and "clickable" not in (child.get("options") or ""):
                    readonly = "True"  # a status bar is not an input unless clickable
                rules["fields"].setdefault(child.get("name"), []).append(readonly)
                rules["expressions"].add(readonly or "")
        elif child.tag == "button":
            if child.get("type") == "object" and not hidden_here:
                rules["buttons"].setdefault(child.get("name"), []).append(child.get("invisible") or "False")
                rules["expressions"].add(child.get("invisible") or "")
        else:
            _walk_view(child, rules, inputs, hidden_here)


def _always(expression):
    return (expression or "").strip() in ("1", "True", "true")


def _evaluate(expression, context):
    """A view's readonly or invisible expression on a record's values, as the web client evaluates it."""
    from odoo.tools.safe_eval import safe_eval  # the suite imports Odoo only for this

    return bool(safe_eval(expression, dict(context)))


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
    result = {
        "cases": fuzzer.cases,
        "refusals": fuzzer.refusals,
        "internal": len(fuzzer.internal),
        "accepted": len(fuzzer.accepted),
        "changed": len(fuzzer.changed),
    }
    result["tamper"] = run_tamper(report, server, fuzzer)
    return result


def run_tamper(report, server, fuzzer):
    """The tamper family, counted apart from the hostile inputs, then the invariants."""
    fuzzer.cases = 0
    fuzzer.refusals, fuzzer.by_family = Counter(), Counter()
    fuzzer.accepted, fuzzer.changed, fuzzer.internal, fuzzer.other = [], [], [], []
    fuzzer.prepare_tamper()
    fuzzer.tamper_fields_family()
    fuzzer.tamper_actions_family()
    fuzzer.tamper_defaults_family()
    fuzzer.tamper_public_methods_family()
    refused = sum(fuzzer.refusals.values())
    lines = [
        f"{fuzzer.cases} cases ({len(TAMPER_ROLES)} roles, {len(MODELS)} models, "
        f"{len(fuzzer.tamper_records)} prepared (model, state) records): "
        + ", ".join(f"{k.removeprefix('tamper: ')} {v}" for k, v in sorted(fuzzer.by_family.items())),
        f"refused {refused}, accepted {len(fuzzer.accepted)}, database changed by a refusal {len(fuzzer.changed)}",
        "refused with: " + ", ".join(f"{k} {v}" for k, v in fuzzer.refusals.most_common()),
        f"first clicks of the actions clicked twice: done {fuzzer.first_calls['done']}, "
        f"refused {fuzzer.first_calls['refused']}",
        *(f"     first click refused: {line}" for line in fuzzer.first_refusals),
        f"locked fields without another valid value to write (not tried): {sum(fuzzer.tamper_skipped.values())} "
        f"({', '.join(sorted(fuzzer.tamper_skipped))})",
        f"locked lists of records whose link the other side's form edits (not tried): "
        f"{sum(fuzzer.tamper_other_side.values())} ({', '.join(sorted(fuzzer.tamper_other_side))})",
    ]
    lines += report.check("records the family could not prepare", fuzzer.tamper_problems)
    lines += report.check("tampering accepted", fuzzer.accepted)
    lines += report.check("database changed by a refused tampering", fuzzer.changed)
    lines += report.check("internal errors", fuzzer.internal)
    lines += report.check("other answers (conflict, unavailable)", fuzzer.other)
    for name, violations in invariants.all_checks(server).items():
        lines += report.check(name, violations)
    report.section("Tampering: valid values the forms do not allow, actions out of turn", lines)
    return {
        "cases": fuzzer.cases,
        "refused": refused,
        "internal": len(fuzzer.internal),
        "accepted": len(fuzzer.accepted),
        "changed": len(fuzzer.changed),
    }
