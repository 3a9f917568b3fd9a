"""The review material of a rewrite: ``lambdaslim rewrite --report FILE.md``.

The report reads the model, the analysis and the plan (and, with ``--verify``, the verification
document); it never re-derives a decision. Every section is rendered by a jinja2 template shipped
in ``lambdaslim/templates`` (``report_*.md.j2``). The same input always gives the same bytes:
nothing in it depends on the clock, the machine or the folder the command ran from.
"""
