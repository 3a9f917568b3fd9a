"""The statement walker: module bindings, the handler body, helpers inlined where they are called.

The walk is a small abstract interpreter over straight-line code. Guards (``if c: raise``),
early returns (``if c: return v``), ``try`` blocks and ``with`` blocks of no-op context managers
are understood; loops and any other branching become ``Unknown`` with the line.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence
from typing import TypeAlias

import libcst as cst

from lambdaslim.analysis import ir
from lambdaslim.analysis.calls import CallEvaluator
from lambdaslim.analysis.expressions import Frame, fold, is_expr
from lambdaslim.analysis.ir import (
    Assign,
    CallResult,
    Const,
    DictExpr,
    ErrorHandling,
    EventPath,
    Expr,
    Guard,
    ReturnIf,
    SdkCall,
    Unknown,
    WithKeys,
)
from lambdaslim.analysis.lines import LineIndex
from lambdaslim.analysis.values import (
    Context,
    ExceptionClass,
    ExceptionValue,
    Function,
    HttpResponse,
    NoOp,
    PynamoModel,
    Qual,
    Value,
)

Body: TypeAlias = Sequence[cst.BaseStatement | cst.BaseSmallStatement]

_MAX_INLINE_DEPTH = 4
_PYNAMO_ATTRIBUTES = frozenset({"UnicodeAttribute"})


class Terminated(Exception):
    """Raised internally to stop walking a block after ``return`` or ``raise``."""


class Interpreter(CallEvaluator):
    """Walks statements, appending steps, and records what it cannot express."""

    def __init__(self, module: cst.Module, lines: LineIndex):
        super().__init__(module, lines)
        self.unknowns: list[Unknown] = []
        self.error_handling: list[ErrorHandling] = []
        self.imports: dict[str, None] = {}
        self.exception_classes: dict[str, None] = {}
        self.inline_depth = 0

    def record(self, value: Value) -> None:
        """Note an Unknown that matters. At import time only API calls matter (see ``emit``)."""
        if isinstance(value, Unknown) and self.frame.func is not None and (
                value not in self.unknowns):
            self.unknowns.append(value)

    # ---- module ---------------------------------------------------------------------------

    def run_module(self) -> None:
        for statement in self.module.body:
            self.module_statement_node = statement
            self.module_statement(statement)

    def module_statement(self, stmt: cst.BaseStatement | cst.BaseSmallStatement) -> None:
        env = self.module_env
        if isinstance(stmt, cst.SimpleStatementLine):  # the common case first: one exact match
            for small in stmt.body:
                try:
                    self.small_statement(small)
                except Terminated:
                    return
        elif isinstance(stmt, cst.BaseSmallStatement):
            with contextlib.suppress(Terminated):
                self.small_statement(stmt)
        elif isinstance(stmt, cst.FunctionDef):
            env[stmt.name.value] = Function(stmt.name.value, stmt)
        elif isinstance(stmt, cst.ClassDef):
            env[stmt.name.value] = self.class_value(stmt)
        elif isinstance(stmt, cst.Try):
            for inner in stmt.body.body:
                self.module_statement(inner)
        elif isinstance(stmt, cst.If):
            static = fold(self.condition(stmt.test))
            if isinstance(static, Const):
                branch = stmt.body if static.value else stmt.orelse
                for inner in _block_body(branch):
                    self.module_statement(inner)
            elif not _exits(stmt.body) or stmt.orelse is not None:
                reason = self.unknown("a name defined conditionally at import", stmt)
                for name in _assigned_names(stmt):
                    env[name] = reason
        else:
            for name in _assigned_names(stmt):
                env[name] = self.unknown(f"a name bound by a {type(stmt).__name__} at import",
                                         stmt)

    def class_value(self, node: cst.ClassDef) -> Value:
        bases = [self.ev(arg.value) for arg in node.bases]
        name = node.name.value
        unknown_bases = [b for b in bases if isinstance(b, Unknown)]
        if unknown_bases:
            return self.unknown(f"class {name} derives from a class the analysis does not model "
                                f"({unknown_bases[0].reason})", node)
        if any(isinstance(b, ExceptionClass) for b in bases):
            methods = [m.name.value for m in node.body.body if isinstance(m, cst.FunctionDef)]
            if methods:
                # __init__/__str__ decide the error message (the Cause): not the raised argument
                return self.unknown(f"exception class {name} defines {', '.join(methods)}: "
                                    "its error message is not the argument it is raised with",
                                    node)
            self.exception_classes[name] = None
            return ExceptionClass(name)
        if any(isinstance(b, Qual) and b.name.startswith("pynamodb.") and b.name.endswith(
                "Model") for b in bases):
            return self.pynamo_model(node)
        return self.unknown(f"class {name} is not modelled", node)

    def pynamo_model(self, node: cst.ClassDef) -> Value:
        table: Expr | None = None
        attributes: list[tuple[str, str]] = []
        hash_key = range_key = None
        for stmt in node.body.body:
            if isinstance(stmt, cst.ClassDef) and stmt.name.value == "Meta":
                for inner in stmt.body.body:
                    target, value = _simple_assign(inner)
                    if target == "table_name" and value is not None:
                        table = self.as_expr(self.ev(value), value)
                continue
            target, value = _simple_assign(stmt)
            if target is None or not isinstance(value, cst.Call):
                continue
            kind = self.ev(value.func)
            if not (isinstance(kind, Qual) and kind.name.startswith("pynamodb.")):
                continue
            short = kind.name.rsplit(".", 1)[-1]
            if short not in _PYNAMO_ATTRIBUTES:
                return self.unknown(f"PynamoDB attribute type {short} is not modelled", stmt)
            item_name = target
            for arg in value.args:
                key = arg.keyword.value if arg.keyword else None
                literal = self.ev(arg.value)
                if key == "attr_name" and isinstance(literal, Const):
                    item_name = str(literal.value)
                elif key == "hash_key" and literal == Const(True):
                    hash_key = target
                elif key == "range_key" and literal == Const(True):
                    range_key = target
                elif key in ("default", "default_for_new"):
                    return self.unknown(f"PynamoDB attribute default for {target}", stmt)
            attributes.append((target, item_name))
        if table is None:
            return self.unknown(f"PynamoDB model {node.name.value} without Meta.table_name", node)
        return PynamoModel(node.name.value, table, tuple(attributes), hash_key, range_key)

    # ---- functions ------------------------------------------------------------------------

    def run_handler(self, func: cst.FunctionDef) -> tuple[str, ...]:
        """Walk the handler body; returns the parameter names."""
        params = [p.name.value for p in func.params.params]
        if not params:
            params = [p.name.value for p in func.params.posonly_params]
        self.frame = Frame(func=func, name=func.name.value)
        self.statement_node = None
        self.statement_line = self.lines.def_line(func)
        if params:
            self.frame.locals[params[0]] = EventPath(())
        if len(params) > 1:
            self.frame.locals[params[1]] = Context()
        else:
            self.record(self.unknown(f"handler {func.name.value} takes no event parameter",
                                     func))
        if func.asynchronous is not None:
            self.record(self.unknown("an async handler", func))
        with contextlib.suppress(Terminated):
            self.block(func.body.body)
        return tuple(params[:2])

    def inline(self, function: Function, node: cst.Call) -> Value:
        name = function.name
        if self.inline_depth >= _MAX_INLINE_DEPTH:
            return self.unknown(f"calls local function {name} too deeply", node)
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        func = function.node
        bound: dict[str, Value] = {}
        params = func.params
        if params.star_arg not in (None, cst.MaybeSentinel.DEFAULT) or params.star_kwarg:
            return self.unknown(f"calls local function {name} with *args/**kwargs", node)
        positional = [*params.posonly_params, *params.params]
        if len(args) > len(positional):
            return self.unknown(f"calls local function {name} with too many arguments", node)
        for param, value in zip(positional, args, strict=False):
            bound[param.name.value] = value
        for param in [*positional, *params.kwonly_params]:
            key = param.name.value
            if key in kwargs:
                bound[key] = kwargs.pop(key)
            elif key not in bound:
                if param.default is None:
                    return self.unknown(f"calls local function {name} without {key}", node)
                bound[key] = self.ev(param.default)
        if kwargs:
            return self.unknown(f"calls local function {name} with unknown arguments", node)
        call_line = self.line_of(node)
        for decorator in func.decorators:
            value = self.ev(decorator.decorator)
            if not (isinstance(value, NoOp) or (
                    isinstance(value, Qual) and value.name in (
                        "functools.lru_cache", "functools.cache"))):
                if isinstance(decorator.decorator, cst.Call):
                    value = self.ev(decorator.decorator.func)
                if not (isinstance(value, Qual) and value.name == "functools.lru_cache"):
                    return self.unknown(f"calls local function {name} whose decorator "
                                        f"@{self.code(decorator.decorator)} is not modelled",
                                        node)
        outer_frame, outer_line, outer_unknowns = self.frame, self.statement_line, self.unknowns
        outer_statement = self.statement_node
        self.frame = Frame(func=func, locals=bound, name=name)
        self.unknowns = []
        self.inline_depth += 1
        try:
            self.block(func.body.body)
        except Terminated:
            pass
        finally:
            inner_unknowns = self.unknowns
            result = self.frame.returned
            self.frame, self.statement_line, self.unknowns = outer_frame, outer_line, outer_unknowns
            self.statement_node = outer_statement
            self.inline_depth -= 1
        if inner_unknowns:
            first = inner_unknowns[0]
            return Unknown(
                f"calls local function {name} which is not a pure expression or step "
                f"({first.reason}) at line {call_line}", call_line)
        return Const(None) if result is None else result

    # ---- statements -----------------------------------------------------------------------

    def block(self, statements: Body) -> None:
        """Walk statements; a one-line suite (``if x: raise E``) holds small statements."""
        for stmt in statements:
            self.statement_node = stmt
            self.statement_line = self.line_of(stmt)
            if isinstance(stmt, cst.BaseSmallStatement):
                self.small_statement(stmt)
            else:
                self.statement(stmt)

    def statement(self, stmt: cst.BaseStatement) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small_statement(small)
        elif isinstance(stmt, cst.If):
            self.if_statement(stmt)
        elif isinstance(stmt, cst.Try):
            self.try_statement(stmt)
        elif isinstance(stmt, cst.With):
            self.with_statement(stmt)
        elif isinstance(stmt, cst.For | cst.While):
            self.record(self.unknown("a loop over data", stmt))
        elif isinstance(stmt, cst.FunctionDef):
            self.frame.locals[stmt.name.value] = Function(stmt.name.value, stmt)
        else:
            self.record(self.unknown(f"a {type(stmt).__name__} statement", stmt))

    def small_statement(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Expr):
            self.expression_statement(small.value)
        elif isinstance(small, cst.Assign):
            value = self.ev(small.value)
            for target in small.targets:
                self.assign(target.target, value, small.value)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.assign(small.target, self.ev(small.value), small.value)
        elif isinstance(small, cst.AugAssign):
            self.aug_assign(small)
        elif isinstance(small, cst.Return):
            self.return_statement(small)
        elif isinstance(small, cst.Raise):
            self.raise_statement(small)
        elif isinstance(small, cst.Import | cst.ImportFrom):
            self.import_statement(small)
        elif isinstance(small, cst.Global):
            self.frame.global_names.update(n.name.value for n in small.names)
        elif isinstance(small, cst.Assert):
            condition = self.condition(small.test)
            message = Const("") if small.msg is None else self.as_expr(
                self.stringify(self.ev(small.msg), small.msg), small.msg)
            self.guard(fold(ir.Not(condition)), "AssertionError", message)
        elif not isinstance(small, cst.Pass):
            self.record(self.unknown(f"a {type(small).__name__} statement", small))

    def expression_statement(self, node: cst.BaseExpression) -> None:
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString | cst.Ellipsis):
            return
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "update"
            and len(node.args) == 1
            and node.args[0].keyword is None
        ):
            base = self.ev(node.func.value)
            if isinstance(base, EventPath | DictExpr | WithKeys):
                update = self.as_expr(self.ev(node.args[0].value), node)
                if not isinstance(update, DictExpr):
                    self.record(self.unknown("a dict .update() with a value of unknown keys",
                                             node))
                    return
                for key, item in update.items:
                    self.set_item(node.func.value, (key,), item, node)
                return
        self.record(self.ev(node))

    def import_statement(self, node: cst.Import | cst.ImportFrom) -> None:
        env = self.module_env if self.frame.func is None else self.frame.locals
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = self.code(alias.name)
                self.imports[full] = None
                if alias.asname is not None:
                    env[self.code(alias.asname.name)] = Qual(full)
                else:
                    top = full.split(".", 1)[0]
                    env[top] = Qual(top)
            return
        module = "." * len(node.relative) + (self.code(node.module) if node.module else "")
        self.imports[module] = None
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = self.code(alias.name)
            local = self.code(alias.asname.name) if alias.asname is not None else name
            env[local] = Qual(f"{module}.{name}")

    # ---- assignments ----------------------------------------------------------------------

    def assign(self, target: cst.BaseExpression, value: Value, node: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, value)
        elif isinstance(target, cst.Subscript):
            key = self.key_of(target)
            if isinstance(key, Unknown):
                self.record(key)
                return
            assert isinstance(key, Const)
            self.set_item(target.value, (key.value,), self.as_expr(value, node),  # type: ignore[arg-type]
                          target)
        elif isinstance(target, cst.Tuple | cst.List) and isinstance(value, ir.ListExpr) and len(
                target.elements) == len(value.items):
            for element, item in zip(target.elements, value.items, strict=True):
                self.assign(element.value, item, node)
        else:
            reason = self.unknown(f"an assignment to {self.code(target)}", target)
            self.record(reason)
            for name in _target_names(target):
                self.bind(name, reason)

    def bind(self, name: str, value: Value) -> None:
        if isinstance(value, CallResult | HttpResponse) and not getattr(value, "path", ()):
            step = self.steps[value.step]
            if isinstance(step, SdkCall | ir.HttpCall) and step.result_var is None:
                self.steps[value.step] = _with_result_var(step, name)
        if self.frame.func is not None and name in self.frame.global_names and is_expr(
                value) and self.module_env.get(name) != value:
            # Data kept in a module-level name survives to the next invocation (a cold-start
            # flag, a counter, the last order seen); a workflow state starts afresh each time.
            self.record(self.unknown(f"changes module-level {name}, which keeps its value "
                                     "between invocations"))
        if self.frame.func is None or name in self.frame.global_names:
            self.module_env[name] = value
        else:
            self.frame.locals[name] = value

    def set_item(
        self, base_node: cst.BaseExpression, path: ir.Path, value: Expr, node: cst.CSTNode
    ) -> None:
        """``base[path] = value``: an Assign into the event, or a new local dict value."""
        if isinstance(base_node, cst.Subscript):
            key = self.key_of(base_node)
            if isinstance(key, Const):
                self.set_item(base_node.value, (key.value, *path), value, node)  # type: ignore[arg-type]
                return
            self.record(key if isinstance(key, Unknown) else self.unknown("a dynamic key", node))
            return
        base = self.ev(base_node)
        if isinstance(base, EventPath) and not base.optional:
            full = (*base.path, *path)
            self.invalidate(full)
            self.steps.append(Assign(full, value, self.line_of(node)))
            return
        if not isinstance(base_node, cst.Name):
            self.record(self.unknown(f"an assignment into {self.code(base_node)}", node))
            return
        if self.frame.func is not None and (
                base_node.value not in self.frame.locals
                or base_node.value in self.frame.global_names) and (
                base_node.value in self.module_env):
            self.record(self.unknown(f"changes module-level {base_node.value}, which keeps "
                                     "its value between invocations", node))
            return
        if isinstance(base, DictExpr) and len(path) == 1:
            items = dict(base.items)
            items[str(path[0])] = value
            self.bind(base_node.value, DictExpr(tuple(items.items())))
        elif isinstance(base, WithKeys):
            self.bind(base_node.value, WithKeys(base.base, (*base.assignments, (path, value))))
        elif is_expr(base) and not isinstance(base, Unknown):
            self.bind(base_node.value, WithKeys(base, ((path, value),)))  # type: ignore[arg-type]
        else:
            self.record(base if isinstance(base, Unknown) else self.unknown(
                f"an assignment into {self.describe(base)}", node))

    def invalidate(self, path: ir.Path) -> None:
        """Locals that copied a value at or below ``path`` no longer equal the event there."""
        for name, value in list(self.frame.locals.items()):
            if isinstance(value, EventPath) and len(value.path) < len(path) and (
                    value.path == path[: len(value.path)]):
                continue  # an ancestor object, mutated in place: the alias sees the change
            if _reads_below(value, path):
                self.frame.locals[name] = self.unknown(
                    f"{name} was read before event{_path_text(path)} was changed")

    def aug_assign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            left = self.ev(node.target)
            right = self.ev(node.value)
            strings = [isinstance(v, ir.Concat) or (isinstance(v, Const) and isinstance(
                v.value, str)) for v in (left, right)]
            if all(strings):
                self.bind(node.target.value, self.concat([left, right], node))
                return
        self.bind_unknown(node.target, self.unknown(f"computation ({self.code(node)})", node))

    def bind_unknown(self, target: cst.BaseExpression, reason: Unknown) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, reason)
        else:
            self.record(reason)

    # ---- control flow ---------------------------------------------------------------------

    def return_statement(self, node: cst.Return) -> None:
        value: Value = Const(None) if node.value is None else self.ev(node.value)
        self.frame.returned = value
        self.frame.returned_line = self.statement_line
        raise Terminated

    def raise_statement(self, node: cst.Raise) -> None:
        if node.exc is None:
            self.record(self.unknown("a bare raise outside an except block", node))
            raise Terminated
        value = self.ev(node.exc)
        if isinstance(value, ExceptionClass):
            value = ExceptionValue(value.name, Const(""))
        if isinstance(value, ExceptionValue) and value.name == "KeyError" and \
                value.message != Const(""):
            # str(KeyError("sku")) is "'sku'", the repr of the argument
            literal = isinstance(node.exc, cst.Call) and len(node.exc.args) == 1 and \
                isinstance(node.exc.args[0].value, cst.SimpleString | cst.ConcatenatedString)
            if literal and isinstance(value.message, Const) and isinstance(
                    value.message.value, str):
                value = ExceptionValue(value.name, Const(repr(value.message.value)))
            else:
                value = self.unknown("a KeyError's message is the repr of its argument", node)
        if isinstance(value, ExceptionValue):
            self.guard(Const(True), value.name, value.message)
        else:
            self.record(self.as_expr(value, node.exc))
        raise Terminated

    def guard(self, condition: Expr, error: str, message: Expr) -> None:
        if condition == Const(False):
            return
        self.steps.append(Guard(condition, error, message, self.statement_line))
        self.record_in(condition)

    def record_in(self, expr: Expr) -> None:
        for unknown in ir_unknowns(expr):
            self.record(unknown)

    def if_statement(self, node: cst.If) -> None:
        line = self.line_of(node)
        condition = self.condition(node.test)
        if isinstance(condition, Unknown):
            self.record(condition)
            return
        if isinstance(condition, Const):
            branch = node.body.body if condition.value else _block_body(node.orelse)
            self.block(branch)
            return
        if self.exit_branch(condition, node.body.body, line):
            self.statement_line = line
            if isinstance(node.orelse, cst.If):
                self.if_statement(node.orelse)
            elif node.orelse is not None:
                self.block(node.orelse.body.body)
            return
        if isinstance(node.orelse, cst.Else) and self.exit_branch(
            fold(ir.Not(condition)), node.orelse.body.body, line
        ):
            self.block(node.body.body)
            return
        if self.only_noops(node.body.body) and node.orelse is None:
            return
        self.record(Unknown(f"branching logic at line {line}", line))

    def exit_branch(self, condition: Expr, body: Body, line: int) -> bool:
        """If ``body`` only logs, binds locals and then raises or returns, emit a Guard or a
        ReturnIf for it and return True; otherwise change nothing and return False."""
        saved = (self.frame.locals.copy(), len(self.steps), self.unknowns.copy(),
                 self.frame.returned)
        self.statement_line = line
        try:
            self.conditional += 1
            try:
                self.block(body)
            finally:
                self.conditional -= 1
        except Terminated:
            exited = True
        else:
            exited = False
        new_steps = self.steps[saved[1]:]
        ok = exited and len(self.unknowns) == len(saved[2]) and all(
            isinstance(s, Guard) and s.condition == Const(True) for s in new_steps
        ) and len(new_steps) <= 1
        returned = self.frame.returned
        raised_unknowns = [u for u in self.unknowns if u not in saved[2]] if exited else []
        self.frame.locals, self.unknowns, self.frame.returned = saved[0], saved[2], saved[3]
        del self.steps[saved[1]:]
        if raised_unknowns:
            # A branch that exits with something the analysis cannot model (an exception class
            # with its own __init__): the function is kept, and the reason says why.
            for unknown in raised_unknowns:
                self.record(unknown)
            return True
        if not ok:
            return False
        if new_steps:
            raised = new_steps[0]
            assert isinstance(raised, Guard)
            self.steps.append(Guard(condition, raised.error, raised.message, line))
        else:
            if self.frame.func is None or self.inline_depth:
                self.record(Unknown(f"a conditional return inside local function "
                                    f"{self.frame.name} at line {line}", line))
                return True
            value = self.as_expr(returned if returned is not None else Const(None), self.module)
            self.steps.append(ReturnIf(condition, value, line))
            self.record_in(value)
        self.record_in(condition)
        return True

    def only_noops(self, body: Body) -> bool:
        saved = (self.frame.locals.copy(), len(self.steps), self.unknowns.copy())
        try:
            self.conditional += 1
            try:
                self.block(body)
            finally:
                self.conditional -= 1
        except Terminated:
            return False
        finally:
            changed = (len(self.steps) != saved[1] or self.unknowns != saved[2]
                       or self.frame.locals != saved[0])
            self.frame.locals, self.unknowns = saved[0], saved[2]
            del self.steps[saved[1]:]
        return not changed

    def try_statement(self, node: cst.Try) -> None:
        line = self.line_of(node)
        kinds: list[str] = []
        caught: list[str] = []
        raises: str | None = None
        for handler in node.handlers:
            caught.extend(self.caught_names(handler))
            kind, raised = self.handler_kind(handler)
            kinds.append(kind)
            raises = raises or raised
        if kinds:
            worst = "swallow" if "swallow" in kinds else (
                "transform" if "transform" in kinds else "transparent")
            self.error_handling.append(
                ErrorHandling(worst, line, tuple(caught), raises)  # type: ignore[arg-type]
            )
        self.block(node.body.body)
        if node.orelse is not None:
            self.block(node.orelse.body.body)
        if node.finalbody is not None and not self.only_noops(node.finalbody.body.body):
            self.record(Unknown(f"a finally block that does work at line {line}", line))

    def caught_names(self, handler: cst.ExceptHandler) -> list[str]:
        if handler.type is None:
            return ["BaseException"]
        nodes = handler.type.elements if isinstance(handler.type, cst.Tuple) else None
        exprs = [e.value for e in nodes] if nodes is not None else [handler.type]
        names = []
        for expr in exprs:
            value = self.ev(expr)
            names.append(value.name.rsplit(".", 1)[-1] if isinstance(value, ExceptionClass | Qual)
                         else self.code(expr))
        return names

    def handler_kind(self, handler: cst.ExceptHandler) -> tuple[str, str | None]:
        """Classify an except block: transparent, transform (with the raised class) or swallow."""
        bound = handler.name.name.value if handler.name and isinstance(
            handler.name.name, cst.Name) else None
        body: list[cst.BaseStatement | cst.BaseSmallStatement] = list(handler.body.body)
        if not body:
            return "swallow", None
        *before, last = body
        if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1:
            last = last.body[0]
        if not self.only_noops(before):
            return "swallow", None
        if isinstance(last, cst.Raise):
            exc = last.exc
            if exc is None or (bound is not None and isinstance(exc, cst.Name)
                               and exc.value == bound):
                return "transparent", None
            value = self.ev(exc.func if isinstance(exc, cst.Call) else exc)
            name = value.name.rsplit(".", 1)[-1] if isinstance(value, ExceptionClass | Qual) else (
                self.code(exc))
            return "transform", name
        return "swallow", None

    def with_statement(self, node: cst.With) -> None:
        for item in node.items:
            value = self.ev(item.item)
            if not isinstance(value, NoOp):
                self.record(value if isinstance(value, Unknown) else self.unknown(
                    f"a with-statement on {self.code(item.item)}", node))
                return
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                self.bind(item.asname.name.value, value)
        self.block(node.body.body)


def _block_body(node: cst.CSTNode | None) -> Body:
    """The statements of an if/else/class body (an ``elif`` is one ``If`` statement)."""
    if node is None:
        return []
    if isinstance(node, cst.If):
        return [node]
    body = getattr(node, "body", None)
    return body.body if isinstance(body, cst.BaseSuite) else []


def _exits(block: cst.BaseSuite) -> bool:
    body = block.body
    last = body[-1] if body else None
    if isinstance(block, cst.SimpleStatementSuite):
        return bool(body) and isinstance(body[-1], cst.Raise | cst.Return)
    return isinstance(last, cst.SimpleStatementLine) and isinstance(
        last.body[-1], cst.Raise | cst.Return)


def _simple_assign(stmt: cst.CSTNode) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        small = stmt.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
                small.targets[0].target, cst.Name):
            return small.targets[0].target.value, small.value
        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            return small.target.value, small.value
    return None, None


def _assigned_names(stmt: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Collector(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            if isinstance(node.target, cst.Name):
                names.add(node.target.value)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            if isinstance(node.target, cst.Name):
                names.add(node.target.value)

        def visit_ImportAlias(self, node: cst.ImportAlias) -> None:
            alias = node.asname.name if node.asname else node.name
            if isinstance(alias, cst.Name):
                names.add(alias.value)

    stmt.visit(Collector())
    return names


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        return [n for element in target.elements for n in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _with_result_var(step: SdkCall | ir.HttpCall, name: str) -> ir.Step:
    return dataclasses.replace(step, result_var=name)


def ir_unknowns(node: object) -> list[Unknown]:
    """Every Unknown inside an IR node."""
    return [item for item in ir.walk(node) if isinstance(item, Unknown)]


def _reads_below(node: object, path: ir.Path) -> bool:
    if isinstance(node, EventPath):
        return node.path[: len(path)] == path
    names = ir.field_names(node)
    if names:
        return any(_reads_below(getattr(node, name), path) for name in names)
    if isinstance(node, tuple):
        return any(_reads_below(item, path) for item in node)
    return False


def _path_text(path: ir.Path) -> str:
    return "".join(f"[{part!r}]" for part in path)


__all__ = ["Interpreter", "Terminated", "ir_unknowns"]
