"""The reader's data flows one way: no module of `parsers` imports itself back through others (issue: the
stages of reading as modules with their own input and output, no import circle)."""

from __future__ import annotations

import grimp


def test_parsers_has_no_import_circle() -> None:
    graph = grimp.build_graph("parsers", exclude_type_checking_imports=False)
    circles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                circles.append((module, *back))
    assert not circles, circles
