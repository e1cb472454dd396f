"""The callback domain's fixture: repair orders done and called back."""

from freezegun import freeze_time

from .common_repair import CswRepairCase


class CswCallbackCase(CswRepairCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.callback_agent = cls.project_agent
        cls.project.callback_user_id = cls.callback_agent
        cls.Callback = cls.env["csw.callback"]

    def done_order(self, when, **values):
        """A repair order notified and completed at ``when`` (its callback is planned then)."""
        values.setdefault("notify_method", "written")
        values.setdefault("completion_note", "已修复,闭水试验无渗漏")
        with freeze_time(when):
            order = self.order(**values)
            order.action_notify()
            order.action_done()
        return order

    def record(self, callback, when, result="reached", satisfaction=None, comment=None):
        with freeze_time(when):
            callback.write({"result": result, "satisfaction": satisfaction, "comment": comment})
            callback.action_done()
        return callback
