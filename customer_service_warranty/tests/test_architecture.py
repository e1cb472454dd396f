"""The models are laid out by domain, each package above the ones it builds on.

``models/__init__.py`` imports the domains in their order: base, estate, ticket, repair,
callback, money, people, report. A domain uses the ones below it and never names one above:
what a higher domain adds to a lower model (a list of repair orders on a ticket, the
retention ledger of a contract) is an ``_inherit`` extension in the higher package. These
tests fail on any reference upward: a Python import, a relation to a model of a higher
domain, a ``related`` or ``@api.depends`` path through a field a higher domain declares, an
``env["..."]`` of a higher domain's model.
"""

import ast
import pathlib

from odoo.tests import TransactionCase, tagged

from .. import models as models_package

MODELS_DIR = pathlib.Path(models_package.__file__).parent
PACKAGE = models_package.__name__
LAYERS = [
    node.names[0].name
    for node in ast.parse((MODELS_DIR / "__init__.py").read_text(encoding="utf-8")).body
    if isinstance(node, ast.ImportFrom)
]
RANK = {domain: rank for rank, domain in enumerate(LAYERS)}


def domain_of_module(module_name):
    """The domain of a Python module of the addon's models, or None."""
    prefix = f"{PACKAGE}."
    if not module_name.startswith(prefix):
        return None
    return module_name.removeprefix(prefix).split(".")[0]


def python_files():
    for domain in LAYERS:
        for path in sorted((MODELS_DIR / domain).glob("*.py")):
            yield domain, path


@tagged("post_install", "-at_install")
class TestArchitecture(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # {model: {field: the lowest domain declaring it}}, {model: its own domain}
        cls.field_domain, cls.model_domain = {}, {}
        for name in cls.env.registry:
            for klass in reversed(type(cls.env[name]).mro()):
                domain = domain_of_module(getattr(klass, "__module__", ""))
                if domain not in RANK:
                    continue
                if name not in cls.model_domain and getattr(klass, "_name", None) == name:
                    inherits = klass._inherit if isinstance(klass._inherit, (list, tuple)) else [klass._inherit]
                    if name not in inherits:
                        cls.model_domain[name] = domain
                for field in klass.__dict__.get("_field_definitions", ()):
                    cls.field_domain.setdefault(name, {}).setdefault(field.name, domain)

    def test_the_domains_are_the_packages_in_their_order(self):
        packages = sorted(path.name for path in MODELS_DIR.iterdir() if (path / "__init__.py").exists())
        self.assertEqual(sorted(LAYERS), packages, "every package is a domain imported by models/__init__.py")
        self.assertEqual(LAYERS[0], "base")
        loose = sorted(path.name for path in MODELS_DIR.glob("*.py") if path.name != "__init__.py")
        self.assertFalse(loose, "every model file belongs to a domain")

    def test_no_python_import_upward(self):
        upward = []
        for domain, path in python_files():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.level == 2 and node.module:
                    target = node.module.split(".")[0]
                    if RANK.get(target, -1) > RANK[domain]:
                        upward.append(f"{domain}/{path.name}:{node.lineno} imports {target}")
        self.assertFalse(upward, "\n".join(upward))

    def test_no_env_of_a_higher_model(self):
        upward = []
        for domain, path in python_files():
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Subscript)
                    and isinstance(node.value, ast.Attribute)
                    and node.value.attr == "env"
                    and isinstance(node.slice, ast.Constant)
                    and RANK.get(self.model_domain.get(node.slice.value), -1) > RANK[domain]
                ):
                    upward.append(f'{domain}/{path.name}:{node.lineno} env["{node.slice.value}"]')
        self.assertFalse(upward, "\n".join(upward))

    def test_no_relation_or_path_upward(self):
        upward = []
        for name, fields_by_name in self.field_domain.items():
            model = self.env[name]
            for fname, domain in fields_by_name.items():
                field = model._fields[fname]
                target = self.model_domain.get(getattr(field, "comodel_name", None))
                if RANK.get(target, -1) > RANK[domain]:
                    upward.append(f"{domain}: {name}.{fname} → {field.comodel_name} ({target})")
                if field.related:
                    upward += self._upward_path(model, field.related.split("."), domain, f"{name}.{fname} related")
        # the paths of @api.depends, method by method: an extension may add paths of its own domain
        for name in self.model_domain:
            model = self.env[name]
            for klass in type(model).mro():
                domain = domain_of_module(getattr(klass, "__module__", ""))
                if domain not in RANK:
                    continue
                for attr, method in klass.__dict__.items():
                    depends = getattr(method, "_depends", None)
                    if not depends or callable(depends):
                        continue
                    for path in depends:
                        where = f"{name}.{attr} depends"
                        upward += self._upward_path(model, path.split("."), domain, where)
        self.assertFalse(upward, "\n".join(sorted(set(upward))))

    def _upward_path(self, model, path, domain, where):
        upward = []
        for fname in path:
            field = model._fields.get(fname)
            if field is None:
                break
            owner = self.field_domain.get(model._name, {}).get(fname)
            if RANK.get(owner, -1) > RANK[domain]:
                upward.append(f"{domain}: {where} {'.'.join(path)} reads {model._name}.{fname} ({owner})")
            if not field.relational:
                break
            model = self.env[field.comodel_name]
        return upward

    def test_the_fields_are_found(self):
        # the test above reads the fields of the addon's classes: it must find them
        self.assertEqual(self.field_domain["csw.ticket"]["number"], "ticket")
        self.assertEqual(self.model_domain["csw.repair.order"], "repair")
