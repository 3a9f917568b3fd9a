"""Fuzzing the loaders and the handler analyzer with mutations of real fixtures.

``load_application`` may only raise ``LambdaslimError`` whatever the bytes of a template, a
definition or a handler; ``summarize_handler`` never raises. Each target runs a bounded number
of derandomized examples (the whole module takes a few seconds); raise ``FUZZ_EXAMPLES`` in the
environment for a longer campaign.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lambdaslim.analysis import summarize_handler
from lambdaslim.analysis.ir import HandlerSummary
from lambdaslim.errors import LambdaslimError
from lambdaslim.loading import load_application

ROOT = Path(__file__).resolve().parents[2]
APPS = ROOT / "tests" / "fixtures" / "apps"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(derandomize=True, max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# (application folder, the file of it that is mutated)
TARGETS = [
    (APPS / "ticket_booking", "template.yaml"),
    (APPS / "ticket_booking", "statemachine/booking.asl.json"),
    (APPS / "order_pipeline", "template.yaml"),
    (APPS / "order_pipeline", "statemachine/order.asl.json"),
    (APPS / "catalog_rest", "template.yaml"),
    (APPS / "cdk_orders", "cdk.out/OrdersStack.template.json"),
    (APPS / "lone_definition", "payment_flow.asl.json"),
    (ROOT / "samples" / "original_13_lambdas", "template.yaml"),
]
HANDLERS = sorted((ROOT / "tests" / "fixtures" / "handlers").glob("*.py"))[:40] + sorted(
    (ROOT / "samples" / "original_13_lambdas" / "functions").glob("*/app.py")
)

TOKENS = [
    b"\x00", b"\xff\xfe", b"\xe9", b"{", b"}", b"[", b"]", b":", b": ", b"- ", b"\n", b"\t",
    b"'", b'"', b"\\", b"!Ref ", b"!GetAtt ", b"!Sub ", b"!If ", b"!!python/name:os.system ",
    b"!Custom ", b"&a ", b"*a", b"<<: *a\n", b"---\n", b"...\n", b"%YAML 1.1\n", b"${", b"${X}",
    b"${AWS::Region}", b'"Next": "Nowhere"', b'"Type": "Parallel"', b'"Type": "Map"',
    b'"Branches": []', b'"StartAt": 1', b"Fn::Sub", b"Fn::Join", b"Fn::GetAtt", b"null",
    b"true", b"1e999", b"-0", b"0x1F", b"~", b"?", b"|", b">", b"#", b"@", b"`", b"\r\n",
    "\u2028".encode(), b"\xf0\x9f\x98\x80", b"../../", b"/etc/passwd", b"s3://b/k",
    b"def ", b"lambda: ", b"import ", b"(", b")", b"@decorator\n", b"async ", b"await ",
    b"raise ", b"return ", b"if ", b"else:\n", b"    ", b"\\\n", b"f'{", b'"""', b"#!",
    b"# -*- coding: latin-1 -*-\n",
]


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with one to eight byte-level or token-level mutations."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        size = len(data)
        at = draw(st.integers(0, size))
        operation = draw(st.sampled_from(
            ["insert_token", "insert_bytes", "delete", "replace", "duplicate", "truncate",
             "swap_lines"]
        ))
        if operation == "insert_token":
            data[at:at] = draw(st.sampled_from(TOKENS))
        elif operation == "insert_bytes":
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        elif operation == "delete":
            data[at:at + draw(st.integers(1, 40))] = b""
        elif operation == "replace" and at < size:
            data[at] = draw(st.integers(0, 255))
        elif operation == "duplicate":
            end = min(size, at + draw(st.integers(1, 200)))
            data[end:end] = data[at:end]
        elif operation == "truncate":
            del data[at:]
        elif operation == "swap_lines":
            lines = bytes(data).split(b"\n")
            if len(lines) > 2:
                first = draw(st.integers(0, len(lines) - 1))
                second = draw(st.integers(0, len(lines) - 1))
                lines[first], lines[second] = lines[second], lines[first]
                data = bytearray(b"\n".join(lines))
    return bytes(data)


@contextmanager
def app_copy(app: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / app.name
        shutil.copytree(app, root, symlinks=True)
        yield root


def load_only_project_errors(root: Path) -> None:
    try:
        load_application(root)
    except LambdaslimError as error:
        assert str(error)  # one message, with a file when there is one
    except RecursionError as error:  # reported separately (deep YAML: see the robustness tests)
        raise AssertionError(f"RecursionError escaped: {error}") from None


@pytest.mark.parametrize(("app", "relative"), TARGETS,
                         ids=[f"{app.name}/{relative}" for app, relative in TARGETS])
def test_fuzz_load_application_only_raises_project_errors(app: Path, relative: str) -> None:
    original = (app / relative).read_bytes()

    @FUZZ
    @given(data=mutated(original))
    def run(data: bytes) -> None:
        with app_copy(app) as root:
            (root / relative).write_bytes(data)
            load_only_project_errors(root)
            load_only_project_errors(root / relative)

    run()


@pytest.mark.parametrize("handler", HANDLERS[::4], ids=[h.stem for h in HANDLERS[::4]])
def test_fuzz_a_handler_in_an_application_never_fails_the_load(handler: Path) -> None:
    """A mutated handler of a template application: the load never fails on it (the analysis
    reads it later, and keeps the function when it cannot be parsed)."""
    original = handler.read_bytes()

    @settings(parent=FUZZ, max_examples=max(5, EXAMPLES // 6))
    @given(data=mutated(original))
    def run(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            (root / "src").mkdir()
            (root / "src" / "app.py").write_bytes(data)
            (root / "template.yaml").write_text(
                "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n"
                "      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n"
            )
            app = load_application(root)
            assert list(app.functions) == ["Fn"]
            load_only_project_errors(root / "src" / "app.py")

    run()


def check_summary(data: bytes, function: str) -> None:
    summary = summarize_handler(data, "app.py", function)
    assert isinstance(summary, HandlerSummary)
    assert summary.function == function
    summary.to_dict()  # the cache can store whatever comes out


@pytest.mark.parametrize("handler", HANDLERS, ids=[h.stem for h in HANDLERS])
def test_fuzz_summarize_handler_never_raises(handler: Path) -> None:
    original = handler.read_bytes()

    @settings(parent=FUZZ, max_examples=max(5, EXAMPLES // 4))
    @given(data=mutated(original), function=st.sampled_from(["handler", "lambda_handler",
                                                              "main", "nope"]))
    def run(data: bytes, function: str) -> None:
        check_summary(data, function)

    run()


@FUZZ
@given(text=st.text(max_size=400), function=st.sampled_from(["handler", "x"]))
def test_fuzz_summarize_handler_on_arbitrary_text(text: str, function: str) -> None:
    check_summary(text.encode("utf-8", "surrogatepass"), function)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_summarize_handler_on_arbitrary_bytes(data: bytes) -> None:
    check_summary(data, "handler")


# -- type confusion: one value of a real template replaced by a value of another type -----------

SEEDS = ["ticket_booking", "order_pipeline", "profile_http_api", "chat_websocket"]
OTHER_TYPES = ["oops", 7, None, [], ["x"], {}, {"k": "v"}, True, {"Ref": 3},
               {"Fn::GetAtt": "X"}, {"Fn::Sub": ["a", "b"]}, {"Fn::Join": "x"}]


def value_paths(node: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += value_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += value_paths(value, (*prefix, index))
    return found


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzz_type_confusion_only_raises_project_errors(seed: str) -> None:
    import json

    from lambdaslim.loading.cfn_yaml import parse_yaml
    from lambdaslim.loading.documents import to_plain

    app = APPS / seed
    document = to_plain(parse_yaml((app / "template.yaml").read_text(), "template.yaml"))
    paths = value_paths(document)

    @settings(parent=FUZZ, max_examples=max(40, EXAMPLES))
    @given(path=st.sampled_from(paths), value=st.sampled_from(OTHER_TYPES))
    def run(path: tuple, value: object) -> None:
        changed = json.loads(json.dumps(document))
        node = changed
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        with app_copy(app) as root:
            (root / "template.yaml").unlink()
            (root / "template.json").write_text(json.dumps(changed))
            load_only_project_errors(root)

    run()
