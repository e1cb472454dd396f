"""What the owner reads of the progress of a request or a repair: a plain status word and a
timeline built from the record's own dates (no internal note, no internal wording)."""

# the owner's steps of a repair, in order: 已受理 → 已派工 → 师傅已上门 → 已完工 → 待评价
REPAIR_STEPS = {
    "draft": "received",
    "notified": "assigned",
    "in_progress": "on_site",
    "done": "done",
    "verified": "done",
}
STEP_ORDER = ("received", "assigned", "on_site", "done")
STATUS_BADGES = {
    "received": "text-bg-info",
    "handling": "text-bg-info",
    "assigned": "text-bg-warning",
    "on_site": "text-bg-primary",
    "done": "text-bg-success",
    "to_rate": "text-bg-success",
    "waiting": "text-bg-warning",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
    "cancelled": "text-bg-light",
}


def status_labels(env):
    return {
        "received": env._("Received"),
        "handling": env._("Being handled"),
        "assigned": env._("Team assigned"),
        "on_site": env._("Technician on site"),
        "done": env._("Repaired"),
        "to_rate": env._("Waiting for your rating"),
        "waiting": env._("Waiting for your reply"),
        "resolved": env._("Resolved"),
        "closed": env._("Closed"),
        "cancelled": env._("Cancelled"),
    }


def chronological(steps):
    """``steps`` (given in the order they happen) sorted by their time to the second.

    The times are shown to the minute and recorded at different precisions (a creation date keeps
    the database clock's microseconds, an action's date is whole seconds): steps within the same
    second keep their given order, so a request received at 10:00:00.9 and assigned at 10:00:00
    still reads received, then assigned.
    """
    return sorted(steps, key=lambda step: step[0].replace(microsecond=0))


class OwnerProgress:
    """The owner's view of the progress of their tickets and repair orders.

    :param env: the request's environment (the owner's language)
    :param due_callbacks: the callbacks the owner may answer now: their records are
        "waiting for your rating"
    """

    def __init__(self, env, due_callbacks, tz):
        self.env = env
        self.labels = status_labels(env)
        self.to_rate_orders = set(due_callbacks.repair_order_id.ids)
        self.to_rate_tickets = set(due_callbacks.ticket_id.ids)
        self.tz = tz

    def _repair_key(self, order):
        if order.state == "cancelled":
            return "cancelled"
        if order.id in self.to_rate_orders:
            return "to_rate"
        return REPAIR_STEPS[order.state]

    def _ticket_key(self, ticket):
        if ticket.state == "cancelled":
            return "cancelled"
        if ticket.id in self.to_rate_tickets or self.to_rate_orders & set(ticket.repair_order_ids.ids):
            return "to_rate"
        if ticket.state in ("waiting", "resolved", "closed"):
            return ticket.state
        open_orders = ticket.repair_order_ids.filtered(lambda o: o.state not in ("cancelled", "done", "verified"))
        if open_orders:
            # the repair least far along is where the request stands
            return min((REPAIR_STEPS[o.state] for o in open_orders), key=STEP_ORDER.index)
        return "received" if ticket.state == "new" else "handling"

    def status(self, record):
        """``{"key", "label", "badge", "rework"}`` of a ticket or a repair order."""
        if record._name == "csw.repair.order":
            key, rework = self._repair_key(record), bool(record.reopen_count)
        else:
            key = self._ticket_key(record)
            rework = any(record.repair_order_ids.mapped("reopen_count"))
        return {"key": key, "label": self.labels[key], "badge": STATUS_BADGES[key], "rework": rework}

    def ticket_title(self, ticket):
        """A follow-up raised by a callback is named for the owner, not with the agents' wording."""
        if ticket.origin_callback_id:
            location = ticket.location or ticket.origin_callback_id.repair_order_id.location
            if location:
                return self.env._("Follow-up of your feedback: %(location)s", location=location)
            return self.env._("Follow-up of your feedback")
        return ticket.name

    def repair_steps(self, order, with_location=False):
        """The dated steps of a repair order, in the order they happen: ``[(datetime, text)]``."""
        env = self.env
        team = order.repair_team_id.commercial_partner_id.name or ""
        prefix = f"{order.location}: " if with_location and order.location else ""
        steps = [
            (
                order.notify_date,
                env._("Sent back to %(team)s to be redone", team=team)
                if order.reopen_count
                else env._("The repair was assigned to %(team)s", team=team),
            ),
            (order.entry_date, env._("The technician arrived")),
            (order.done_date, env._("The repair was finished")),
            (order.owner_sign_off_date, env._("You confirmed the repair")),
            (order.verified_date, env._("Customer service checked the repair")),
        ]
        return [(date, prefix + text) for date, text in steps if date]

    def repair_timeline(self, order):
        received = order.ticket_id.received_date or order.create_date
        return chronological([(received, self.env._("Your request was received")), *self.repair_steps(order)])

    def ticket_timeline(self, ticket):
        env = self.env
        steps = [(ticket.received_date, env._("Your request was received"))]
        if ticket.first_response_date:
            steps.append((ticket.first_response_date, env._("Our agent answered you")))
        for order in ticket.repair_order_ids.filtered(lambda o: o.state != "cancelled"):
            steps += self.repair_steps(order, with_location=True)
        if ticket.resolved_date:
            steps.append((ticket.resolved_date, env._("Your request was resolved")))
        return chronological(step for step in steps if step[0])
