"""The package layout: data flows one way through the stages (issue 14).

Every ``import`` under ``panocolor/`` is read with :mod:`ast`, including those inside
functions and under ``if TYPE_CHECKING:`` (a type-only import is still knowledge of a
later stage, and a function-level import only hides a loop). A module belongs to the
package below ``panocolor`` it sits in (``panocolor/segment/deeplab.py`` -> ``segment``;
``panocolor/api.py`` -> ``api``).
"""

from __future__ import annotations

import ast
import itertools
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "panocolor"

FLOORS: tuple[tuple[str, ...], ...] = (
    # Ground floor: errors, setting defaults, the image types, the registry and array
    # operations on images (colour space, resampling, filters, propagation).
    ("errors", "defaults", "types", "registry", "imaging"),
    ("models",),  # model files and the TFLite runner
    ("io",),  # files <-> GrayImage / ColorImage
    ("segment",),  # lightness -> Segmentation
    ("reference",),  # Segmentation + references -> ReferencePlan
    ("transfer",),  # lightness + reference (+ masks) -> chroma
    ("composite",),  # plan + transfer -> blended chroma; L* + chroma -> pixels
    ("hints",),  # colour hints laid over the chroma (after the transfer, before composing)
    ("pipeline", "api"),  # the stages in order (Settings, Colorizer), then the function API
    ("explain",),  # a Colorized -> pictures of what happened
    ("evaluate",),  # methods over image pairs -> figures
    ("batch",),  # manifests of photos -> the pipeline, many times
    ("web",),  # HTTP face
    ("cli", "__main__"),  # command-line face, the last one
)
"""Stages in the order data flows; a module may import its own floor and those above.

The order follows the issue's target tree. ``reference`` sits before ``transfer``
because neither imports the other and a plan is made before any colour moves;
``composite`` comes after both because blending needs a plan and a transfer.
``explain`` sits after the pipeline because it draws a finished ``Colorized``.
"""

ROOT_NAMES = {"__version__"}
"""What any module may import from the ``panocolor`` package itself."""


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, e.g. panocolor.segment.deeplab
    target: str  # the imported module, e.g. panocolor.segment.regions
    names: tuple[str, ...]  # names taken from it with ``from ... import``
    line: int

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(path: Path) -> list[Import]:
    module = module_name(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                if path.name != "__init__.py":
                    package = package[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, *([node.module] if node.module else [])])
            names = tuple(a.name for a in node.names)
            # ``from panocolor.segment import regions`` imports the module regions
            submodules = [n for n in names if is_module(f"{base}.{n}")]
            found += [Import(module, f"{base}.{n}", (), node.lineno) for n in submodules]
            rest = tuple(n for n in names if n not in submodules)
            if rest or not submodules:
                found.append(Import(module, base, rest, node.lineno))
    return [i for i in found if i.target.split(".")[0] == "panocolor"]


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


ALL_IMPORTS = [i for path in sorted(ROOT.rglob("*.py")) for i in imports_of(path)]
FLOOR = {name: k for k, floor in enumerate(FLOORS) for name in floor}


def test_every_package_has_a_floor():
    packages = {package_of(module_name(p)) for p in ROOT.rglob("*.py")} - {""}
    assert packages - set(FLOOR) == set()


def test_the_parser_sees_every_kind_of_import():
    """The checks below stand on this: function-level, TYPE_CHECKING and relative imports."""
    found = {(i.module, i.target) for i in ALL_IMPORTS}
    assert ("panocolor", "panocolor.api") in found  # inside __getattr__ and TYPE_CHECKING
    assert ("panocolor.cli.colorize", "panocolor.pipeline") in found  # inside a function
    assert len(ALL_IMPORTS) > 300


def test_no_stage_imports_a_later_stage():
    later = []
    for i in ALL_IMPORTS:
        source, target = package_of(i.module), package_of(i.target)
        if source == "" or source == target:
            continue  # the package root only re-exports the function API
        if target == "":
            if set(i.names) - ROOT_NAMES:
                later.append(f"{i} {i.names}")
        elif FLOOR[target] > FLOOR[source]:
            later.append(str(i))
    assert later == []


def test_no_private_module_of_another_package():
    private = [
        str(i)
        for i in ALL_IMPORTS
        if package_of(i.module) != package_of(i.target)
        and any(part.startswith("_") and part != "__init__" for part in i.target.split(".")[2:])
    ]
    assert private == []


def test_no_private_names_of_another_package():
    private = [
        f"{i} {i.names}"
        for i in ALL_IMPORTS
        if package_of(i.module) not in ("", package_of(i.target))
        and any(n.startswith("_") and n not in ROOT_NAMES for n in i.names)
    ]
    assert private == []


def package_cycles(edges: set[tuple[str, str]]) -> list[tuple[str, str]]:
    """Pairs of packages that reach each other (transitive closure of ``edges``)."""
    nodes = sorted({n for edge in edges for n in edge})
    reach = {(a, b) for a, b in edges if a != b}
    for k, a, b in itertools.product(nodes, nodes, nodes):  # Floyd-Warshall order: k outer
        if (a, k) in reach and (k, b) in reach:
            reach.add((a, b))
    return sorted((a, b) for a, b in reach if a < b and (b, a) in reach)


def test_no_import_cycles_between_packages():
    edges = {
        (package_of(i.module), package_of(i.target))
        for i in ALL_IMPORTS
        if package_of(i.module) and package_of(i.target)
    }
    assert package_cycles(edges) == []


@pytest.mark.parametrize(
    ("edges", "cycles"),
    [
        ({("a", "b"), ("b", "c")}, []),
        ({("a", "b"), ("b", "c"), ("c", "a")}, [("a", "b"), ("a", "c"), ("b", "c")]),
        ({("a", "a")}, []),
    ],
)
def test_package_cycles_finds_loops(edges, cycles):
    assert package_cycles(edges) == cycles


MAX_LINES = 300


def test_no_module_over_300_lines():
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in ROOT.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_tests_mirror_the_packages():
    """Each package below ``panocolor`` has its tests in the folder of the same name."""
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    tests = {path.name for path in Path(__file__).parent.iterdir() if path.is_dir()}
    assert packages - tests == set()
    assert {name for name in tests - packages if not name.startswith((".", "__"))} == set()
