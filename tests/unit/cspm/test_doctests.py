import doctest
import importlib

import pytest

MODULES = ["cspotlp.cspm", "cspotlp.cspm.parser", "cspotlp.cspm.lexer", "cspotlp.cspm.printer",
           "cspotlp.cspm.traverse", "cspotlp.cspm.channels", "cspotlp.cspm.compiled"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0
    assert result.failed == 0
