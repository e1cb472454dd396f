from odoo.tests import tagged

from ..controllers.portal import CswCustomerPortal
from .common_portal import CswPortalCase

# what Odoo logs when a read-only request wrote and had to start again on the primary
RETRIED = "retrying with a read/write cursor"


@tagged("post_install", "-at_install")
class TestReadReplica(CswPortalCase):
    """With a read replica (``db_replica_host``), Odoo serves read-only requests from it.
    The test cursor of a read-only request refuses writes as a replica would, so a page
    that wrote something would be served twice, the second time by the primary."""

    def test_portal_lists_are_read_only_routes_and_write_nothing(self):
        for endpoint in ("portal_my_homes", "portal_my_jobs"):
            with self.subTest(endpoint=endpoint):
                self.assertIs(getattr(CswCustomerPortal, endpoint).original_routing.get("readonly"), True)
        # the pages a form sends the owner to after a change stay on the primary: they must
        # show what was just done, without the replica's delay; so do the owner's lists of
        # tickets and repairs, which give each record its access token when first shown
        for endpoint in (
            "portal_repair_request",
            "portal_my_callbacks",
            "portal_my_ticket",
            "portal_my_tickets",
            "portal_my_repairs",
        ):
            with self.subTest(endpoint=endpoint):
                self.assertFalse(getattr(CswCustomerPortal, endpoint).original_routing.get("readonly"))
        self.authenticate("owner_zhou", "owner_zhou")
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.url_open("/my/homes")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.unit.name, response.text)
        self.authenticate("team_shunan", "team_shunan")
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.url_open("/my/jobs")
        self.assertIn(self.job.name, response.text)

    def test_dashboard_and_report_are_read_only_and_a_write_goes_to_the_primary(self):
        self.authenticate("manager", "manager")
        spec = {"breached_ticket_count": {}, "callback_due_count": {}, "month_callback_rate": {}}
        with self.assertNoLogs("odoo.http", "WARNING"):
            result = self.make_jsonrpc_request(
                "/web/dataset/call_kw/csw.project/web_search_read",
                {
                    "model": "csw.project",
                    "method": "web_search_read",
                    "args": [],
                    "kwargs": {"domain": [("id", "=", self.project.id)], "specification": spec},
                },
            )
        self.assertEqual(result["records"][0]["breached_ticket_count"], self.project.breached_ticket_count)
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.url_open(
                f"/report/html/customer_service_warranty.report_repair_notice/{self.job.id}", timeout=60
            )
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.job.name, response.text)
        # create is not an @api.readonly method: the call runs on a read/write cursor
        self.authenticate("center_agent", "center_agent")
        with self.assertNoLogs("odoo.http", "WARNING"):
            created = self.make_jsonrpc_request(
                "/web/dataset/call_kw/csw.ticket/create",
                {
                    "model": "csw.ticket",
                    "method": "create",
                    "args": [{"name": "厨房水槽下渗水", "unit_id": self.unit.id}],
                    "kwargs": {},
                },
            )
        ticket_id = created[0] if isinstance(created, list) else created
        self.assertEqual(self.env["csw.ticket"].browse(ticket_id).name, "厨房水槽下渗水")
