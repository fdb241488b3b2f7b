"""Carrot, ChartHop's query and expression language: group filters, field sources, templates.

Compile once, evaluate many::

    managers = compile_filter("is:manager department:engineering,sales")
    managers.matches({"directReports": 3, "department": {"name": "Sales"}})  # True
    first = compile_source("name.pref ?: name.first")
    first.evaluate({"name.first": "Ada"})  # "Ada"
    render(compile_expression("('2021-01-01') + 1").evaluate({}))  # "2021-01-02"

Records may be nested, flat with dotted keys, or both; field and function names ignore case;
a path through missing data is null. See parser.py (grammar and binding), match_rhs.py (what may
follow ``:``), values.py (equality, comparison, rendering), operators.py (arithmetic),
functions.py (every function's signature), is_filters.py (the ``is:`` filters and the fields
they read), dates.py and patterns.py (relative dates, formatDate patterns), templates.py.

Choices where ChartHop's docs are silent (each detailed in its module):

- ``field:`` means "has no value" when white space, end of text, ``)``, ``]`` or ``,`` follows;
  ``department:&& title:vp`` is the reference's own syntax error, so write ``department: && x``.
- A ``!`` directly before a match or comparison negates all of it, as in ChartHop's own
  ``directs>0 && !department:accounting``; elsewhere ``!`` binds as tightly as documented
  (``!a && b`` is ``(!a) && b``). ``!is:manager`` negates the built-in.
- ``AND``, ``OR`` and ``NOT`` are not Carrot: a bare one is an error naming ``&&``, ``||``, ``!``.
- ``is:`` filters read fixed fields (is_filters.py): person/open ``personId``, ``name.first``,
  ``name.last``; manager/ic ``directReports``, ``directs``; hire/start/depart ``startDateOrg``
  (else ``startDate``) and ``endDateOrg`` (else ``endDate``) against the clock's today.
- Single quotes hold dates, absolute or relative (``'-30d'``); double quotes hold text.
- A field that is an object (``department``) reads as its ``name`` in ``:``, ``=`` and output;
  on a flat record its dotted keys form the object.

Why a hand-written Pratt parser rather than lark:

- Error messages. ChartHop's examples report "expected a value after ':' at column 12" with a
  caret. A hand-written parser knows at each point what it was reading (the value after ':', the
  ')' closing the '(' at column 3, the arguments of date()), so each error says that in words;
  a generated LALR/Earley parser reports sets of terminal names that would need translating
  back. The text after ':' (bare words, comma alternatives, ``*``, nothing) and the ``:`` that
  ends a ternary's middle are context-dependent, which a hand-written lexer handles directly.
- Speed. Parsing happens once per configuration load, so it matters little; evaluation matters.
  The tree is compiled to nested Python closures (compiler.py, relations.py): no tree walking or
  isinstance dispatch per record, literals lower-cased once, field paths turned into getters
  specialised for their shape. bench/carrot_bench.py measures it.
- No dependency: the grammar is small and the parser is about 300 lines.
"""

from shared.carrot.api import (
    Clock,
    Compiled,
    compile_expression,
    compile_filter,
    compile_source,
    compile_template,
)
from shared.carrot.values import render

__all__ = [
    "Clock",
    "Compiled",
    "compile_expression",
    "compile_filter",
    "compile_source",
    "compile_template",
    "render",
]
