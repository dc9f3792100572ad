"""The passes that build one kind's IR program from the syntax tree.

Each pass is a function over the shared :class:`~compiler.passes.state.State`:
it reads what earlier passes declared and adds its own part (slots, bindings,
definitions waiting to be lowered, diagnostics).  Their order is the one
tuple ``compiler.program.PASSES``; a pass's docstring says what it reads and
what it adds.
"""
