"""pytest options of the project's test runs."""


def pytest_addoption(parser):
    parser.addoption(
        "--csw-tag",
        action="append",
        default=[],
        help="run only the test classes tagged (odoo.tests.tagged) with one of these tags",
    )


def pytest_collection_modifyitems(config, items):
    tags = set(config.getoption("--csw-tag"))
    if not tags:
        return
    selected, deselected = [], []
    for item in items:
        tagged = set(getattr(getattr(item, "cls", None), "test_tags", ()) or ())
        (selected if tagged & tags else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
