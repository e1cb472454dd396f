import os

import polib

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools.translate import TranslationModuleReader

from .common import CswCase

MODULE = "customer_service_warranty"


@tagged("post_install", "-at_install")
class TestTranslation(CswCase):
    def test_zh_cn_translates_every_string_of_the_addon(self):
        po_path = os.path.join(os.path.dirname(__file__), "..", "i18n", "zh_CN.po")
        translated = {entry.msgid for entry in polib.pofile(po_path) if entry.msgstr and not entry.obsolete}
        terms = {term[4] for term in TranslationModuleReader(self.env.cr, [MODULE])}
        missing = sorted(term for term in terms if term and term not in translated)
        self.assertFalse(missing, f"untranslated in zh_CN.po: {missing[:20]}")

    def test_every_term_of_the_pot_has_its_chinese(self):
        i18n = os.path.join(os.path.dirname(__file__), "..", "i18n")
        translated = {
            entry.msgid
            for entry in polib.pofile(os.path.join(i18n, "zh_CN.po"))
            if entry.msgstr.strip() and not entry.obsolete
        }
        pot = polib.pofile(os.path.join(i18n, f"{MODULE}.pot"))
        self.assertGreater(len(pot), 800)
        missing = [entry.msgid for entry in pot if entry.msgid not in translated]
        self.assertFalse(missing, f"terms of the .pot without Chinese: {missing[:20]}")

    def test_the_pot_is_up_to_date_with_the_code(self):
        pot = os.path.join(os.path.dirname(__file__), "..", "i18n", f"{MODULE}.pot")
        exported = {entry.msgid for entry in polib.pofile(pot)}
        terms = {term[4] for term in TranslationModuleReader(self.env.cr, [MODULE]) if term[4]}
        self.assertFalse(sorted(terms - exported)[:20], "run ./dev.sh i18n to export the new terms")

    def test_errors_reach_chinese_users_in_chinese(self):
        if not self.env["res.lang"]._lang_get("zh_CN"):
            self.env["res.lang"]._activate_lang("zh_CN")
            self.env["ir.module.module"]._load_module_terms([MODULE], ["zh_CN"])
        self.manager.lang = "zh_CN"
        # the web client sends the user's language in the context of every call
        manager_env = self.env(user=self.manager, context=self.manager.context_get())
        with self.assertRaises(ValidationError) as err:
            self.category("waterproofing").with_env(manager_env).write({"period_type": "years", "period_value": 3})
        self.assertIn("法定", str(err.exception))
        self.assertEqual(self.category("waterproofing").with_context(lang="zh_CN").name[:2], "屋面")
