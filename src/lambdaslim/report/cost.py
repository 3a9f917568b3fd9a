"""Cost and latency, before and after, per 1M executions of each state machine.

A model with its inputs shown, not a bill: the prices and latency parameters come from
``prices.json`` (region and date shown), the work per execution from :mod:`workload`, memory
from the template, handler durations from the prices file (``lambda.duration_ms``: a default,
or what you measured per function). Charges the rewrite does not change (the services the
handlers called, now called by Step Functions) are left out of both sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lambdaslim.classification import Analysis
from lambdaslim.errors import LambdaslimError
from lambdaslim.loading.cfn_yaml import parse_yaml
from lambdaslim.model import StatePath
from lambdaslim.plan import Plan
from lambdaslim.report.critical_path import critical_path
from lambdaslim.report.state_graphs import MachineGraphs
from lambdaslim.report.workload import Workload

EXECUTIONS = 1_000_000
SYNC_ACTION = "StartSyncExecution"


@dataclass(frozen=True)
class Line:
    item: str
    before_inputs: str
    before: float
    after_inputs: str
    after: float


@dataclass(frozen=True)
class FunctionInputs:
    function_id: str
    memory_mb: int
    duration_ms: float
    duration_source: str
    architecture: str
    before: float
    after: float


@dataclass(frozen=True)
class Latency:
    functions_before: tuple[str, ...]
    functions_after: tuple[str, ...]
    warm_before: float
    warm_after: float
    cold_before: float
    cold_after: float


@dataclass(frozen=True)
class MachineCost:
    machine_id: str
    workload_source: str
    functions: tuple[FunctionInputs, ...]
    lines: tuple[Line, ...]
    latency: Latency

    @property
    def total_before(self) -> float:
        return sum(line.before for line in self.lines)

    @property
    def total_after(self) -> float:
        return sum(line.after for line in self.lines)


class CostModel:
    def __init__(self, analysis: Analysis, plan: Plan, prices: dict[str, Any]):
        self.app = analysis.app
        self.analysis = analysis
        self.plan = plan
        self.prices = prices
        self.removed = set(plan.removed_functions)
        self.global_architecture = _global_architecture(analysis)

    # -- inputs ---------------------------------------------------------------------------------

    def memory(self, function_id: str) -> int:
        function = self.app.functions.get(function_id)
        memory = function.memory_mb if function else None
        return int(memory or self.prices["lambda"]["default_memory_mb"])

    def duration(self, function_id: str) -> tuple[float, str]:
        durations = self.prices["lambda"]["duration_ms"]
        if function_id in durations:
            return float(durations[function_id]), "given"
        return float(durations["default"]), "assumed"

    def architecture(self, function_id: str) -> str:
        """The function's own ``Architectures``, else SAM's ``Globals``, else the default."""
        resource = self.app.resources.get(function_id)
        declared = _first(resource.properties.get("Architectures") if resource else None)
        return declared or self.global_architecture or str(
            self.prices["lambda"]["default_architecture"])

    # -- the model ------------------------------------------------------------------------------

    def machine(self, graphs: MachineGraphs, work: Workload) -> MachineCost:
        verdict = next(m for m in self.analysis.machines if m.machine_id == graphs.machine_id)
        entry = verdict.entry_function
        extra_before, extra_after = self._extra_invocations(graphs, entry)
        before = {**work.before.invocations}
        after = {**work.after.invocations}
        for function, count in extra_before.items():
            before[function] = before.get(function, 0) + count
        for function, count in extra_after.items():
            after[function] = after.get(function, 0) + count
        functions = tuple(self._function_inputs(f, before.get(f, 0), after.get(f, 0))
                          for f in sorted(set(before) | set(after)))
        latency = self._latency(graphs, entry)
        lines = [
            *self._lambda_lines(functions),
            self._workflow_line(graphs, work, latency),
            *self._api_lines(graphs, entry, work),
        ]
        return MachineCost(graphs.machine_id, work.source, functions,
                           tuple(line for line in lines if line is not None), latency)

    def _function_inputs(self, function_id: str, before: float, after: float) -> FunctionInputs:
        duration, source = self.duration(function_id)
        return FunctionInputs(function_id, self.memory(function_id), duration, source,
                              self.architecture(function_id), before, after)

    def _extra_invocations(
        self, graphs: MachineGraphs, entry: str | None
    ) -> tuple[dict[str, float], dict[str, float]]:
        """The entry function (once per execution) and the WebSocket channel's $connect and
        $disconnect functions (once per execution each), which the workflow's runs do not
        count."""
        before: dict[str, float] = {}
        if entry:
            before[entry] = 1.0
        for route in self._channel_routes(graphs):
            if route.route_key in ("$connect", "$disconnect") and route.target_function:
                before[route.target_function] = 1.0
        after = {f: n for f, n in before.items() if f not in self.removed}
        return before, after

    def _channel_routes(self, graphs: MachineGraphs) -> list[Any]:
        notifiers = {
            f for f in graphs.lambda_before.values()
            if any(v.function_id == f and v.category == "callback_channel"
                   for v in self.analysis.functions)
        }
        if not notifiers:
            return []
        return [r for r in self.app.routes if r.protocol == "WEBSOCKET"]

    def _lambda_lines(self, functions: tuple[FunctionInputs, ...]) -> list[Line]:
        prices = self.prices["lambda"]
        requests_before = sum(f.before for f in functions)
        requests_after = sum(f.after for f in functions)

        def gb_seconds(side: str) -> float:
            return sum(getattr(f, side) * f.memory_mb / 1024 * f.duration_ms / 1000
                       for f in functions)

        def duration_cost(side: str) -> float:
            return EXECUTIONS * sum(
                getattr(f, side) * f.memory_mb / 1024 * f.duration_ms / 1000
                * float(prices["per_gb_second"][f.architecture])
                for f in functions
            )

        per_request = float(prices["per_million_requests"])
        return [
            Line("Lambda requests",
                 f"{_count(requests_before * EXECUTIONS)} requests", requests_before * per_request,
                 f"{_count(requests_after * EXECUTIONS)} requests", requests_after * per_request),
            Line("Lambda duration",
                 f"{_count(gb_seconds('before') * EXECUTIONS)} GB-s", duration_cost("before"),
                 f"{_count(gb_seconds('after') * EXECUTIONS)} GB-s", duration_cost("after")),
        ]

    def _workflow_line(self, graphs: MachineGraphs, work: Workload, latency: Latency) -> Line:
        """Standard: transitions; Express: requests and duration (the warm latency estimate,
        rounded up to the billing increment)."""
        sfn = self.prices["step_functions"]

        def side(kind: str, transitions: float, duration_ms: float) -> tuple[str, float]:
            if kind != "EXPRESS":
                cost = transitions * EXECUTIONS / 1000 * float(
                    sfn["standard_per_thousand_transitions"])
                return f"Standard: {_count(transitions * EXECUTIONS)} transitions", cost
            increment = float(sfn["express_billing_increment_ms"])
            billed = max(increment, math.ceil(duration_ms / increment) * increment)
            gb_s = billed / 1000 * float(sfn["express_memory_mb"]) / 1024
            cost = float(sfn["express_per_million_requests"]) + gb_s * EXECUTIONS * float(
                sfn["express_per_gb_second"])
            return (f"Express: {_count(EXECUTIONS)} requests, {billed:g} ms x "
                    f"{sfn['express_memory_mb']} MB"), cost

        before_inputs, before = side(graphs.type_before, work.before.transitions,
                                     latency.warm_before)
        after_inputs, after = side(graphs.type_after, work.after.transitions, latency.warm_after)
        return Line("Step Functions", before_inputs, before, after_inputs, after)

    def _api_lines(self, graphs: MachineGraphs, entry: str | None, work: Workload) -> list[Line]:
        api_prices = self.prices["api_gateway"]
        lines = []
        routes = [r for r in self.app.routes
                  if (entry and r.target_function == entry)
                  or r.target_state_machine == graphs.machine_id]
        if routes:
            route = routes[0]
            key = "http" if route.protocol == "HTTP" else "rest"
            price = float(api_prices[f"{key}_per_million_requests"])
            inputs = f"{route.protocol} {_count(EXECUTIONS)} requests"
            lines.append(Line("API Gateway requests", inputs, price, inputs, price))
        channel = self._channel_routes(graphs)
        if channel:
            removed = all(r.target_function in self.removed for r in channel)
            notifiers = {f for f in graphs.lambda_before.values()
                         if f in {v.function_id for v in self.analysis.functions
                                  if v.category == "callback_channel"}}
            messages = sum(work.before.invocations.get(f, 0) for f in notifiers)
            minutes = float(api_prices["websocket_connection_minutes_per_execution"])
            before = (messages * float(api_prices["websocket_per_million_messages"])
                      + minutes * float(api_prices["websocket_per_million_connection_minutes"]))
            lines.append(Line(
                "WebSocket API",
                f"{_count(messages * EXECUTIONS)} messages, "
                f"{_count(minutes * EXECUTIONS)} connection minutes",
                before,
                "removed" if removed else "unchanged",
                0.0 if removed else before,
            ))
        return lines

    # -- latency ------------------------------------------------------------------------------

    def _latency(self, graphs: MachineGraphs, entry: str | None) -> Latency:
        parameters = self.prices["latency_ms"]
        overhead = float(parameters["lambda_invoke_overhead"])

        def state_cost(graph_lambdas: dict[StatePath, str], graph: Any) -> Any:
            def cost(path: StatePath) -> float:
                if path in graph_lambdas:
                    return overhead + self.duration(graph_lambdas[path])[0]
                if graph.nodes[path]["type"] == "Task":
                    return float(parameters["service_integration"])
                return float(parameters["state_transition"])
            return cost

        before = critical_path(graphs.before, graphs.start_before,
                               state_cost(graphs.lambda_before, graphs.before),
                               graphs.lambda_before.get)
        after = critical_path(graphs.after, graphs.start_after,
                              state_cost(graphs.lambda_after, graphs.after),
                              graphs.lambda_after.get)
        entry_before = (entry,) if entry else ()
        entry_after = (entry,) if entry and entry not in self.removed else ()
        hops_before = entry_before + before.functions
        hops_after = entry_after + after.functions
        warm_before = before.cost + sum(overhead + self.duration(f)[0] for f in entry_before)
        warm_after = after.cost + sum(overhead + self.duration(f)[0] for f in entry_after)
        cold = float(parameters["lambda_cold_start"])
        return Latency(hops_before, hops_after, warm_before, warm_after,
                       warm_before + cold * len(hops_before), warm_after + cold * len(hops_after))


def _global_architecture(analysis: Analysis) -> str | None:
    """``Globals.Function.Architectures`` of a SAM template (the model applies Globals to the
    properties it keeps, not to this one)."""
    template = analysis.app.template_file
    if template is None:
        return None
    try:
        document = parse_yaml(template.read_text(encoding="utf-8"), str(template))
    except (OSError, LambdaslimError):
        return None
    globals_section = document.get("Globals") if isinstance(document, dict) else None
    function = globals_section.get("Function") if isinstance(globals_section, dict) else None
    return _first(function.get("Architectures") if isinstance(function, dict) else None)


def _first(architectures: Any) -> str | None:
    if isinstance(architectures, list) and architectures and isinstance(architectures[0], str):
        return architectures[0]
    return None


def _count(value: float) -> str:
    """``1,000,000`` (per 1M executions, fractions of a unit do not matter)."""
    return f"{value:,.0f}"
