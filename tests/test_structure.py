"""The house (docs/architecture.md): arrows one way and never in a circle (a lazy import counts), small
rooms, private names kept in the room that defines them, and front ends that describe a run (a RunSpec)
instead of building networks themselves."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "glassnet"
UPPER_ROOMS = ("glassnet.cli", "glassnet.labs", "glassnet.sklearn", "glassnet.playground", "glassnet.sweeps")
FRONT_ENDS = ("glassnet.cli", "glassnet.sweeps", "glassnet.sklearn", "glassnet.playground")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500


@functools.cache
def syntax(path: Path) -> ast.AST:
    """The parsed file, once per test process (the tests only read the trees)."""
    return ast.parse(path.read_text())


def modules() -> dict[str, Path]:
    """{dotted name: file} for every module of the package."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(SRC).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The glassnet modules ``name`` imports anywhere in its file, inside functions too.

    ``from . import x`` names module ``x`` when there is one, else the package itself (whose
    ``__init__`` imports every room, so an arrow to it from inside is an arrow up).
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(syntax(path)):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package
                for _ in range(node.level - 1):
                    anchor = anchor.rpartition(".")[0]
                base = f"{anchor}.{node.module}" if node.module else anchor
            candidates = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
                          if not is_extension(path.parent, a.name)]
        else:
            continue
        for target in candidates:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("glassnet") and target != name:
                targets.add(target)
    return targets


def is_extension(folder: Path, name: str) -> bool:
    """A compiled module of the package (its C source beside it, e.g. _fused.c): no Python arrows."""
    return (folder / f"{name}.c").exists()


def import_graph() -> dict[str, set[str]]:
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    # A package's __init__ is where its own rooms are gathered: arrows from a package to its
    # submodules are how it exports them, not dependencies of the rooms on each other.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circle():
    assert circles(import_graph()) == []


def test_the_circle_finder_finds_circles():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_lazy_imports_are_arrows_too(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from .network import Network\n    return Network\n")
    known = {"glassnet.m": module, "glassnet.network": module}
    assert imports_of("glassnet.m", module, known) == {"glassnet.network"}


def test_the_core_never_imports_an_upper_room():
    graph = import_graph()
    for name, targets in graph.items():
        if name == "glassnet" or name.startswith(UPPER_ROOMS):
            continue
        assert not [t for t in targets if t.startswith(UPPER_ROOMS)], name


def test_no_core_module_imports_the_package_from_inside():
    # glassnet/__init__ imports every core room, so `from . import x` of a non-module is a circle;
    # the upper rooms may use `import glassnet as gn` (public names), since __init__ never imports them
    graph = import_graph()
    core = {name: targets for name, targets in graph.items() if not name.startswith(UPPER_ROOMS)}
    assert [name for name, targets in core.items() if "glassnet" in targets] == []


def test_no_function_over_60_lines():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(syntax(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_upper_rooms_use_public_names_only():
    private = []
    for name, path in modules().items():
        if not name.startswith(UPPER_ROOMS):
            continue
        for node in ast.walk(syntax(path)):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("glassnet")):
                private += [f"{name}: {a.name}" for a in node.names
                        if a.name.startswith("_") and not a.name.endswith("__")]
    assert private == []


def test_no_module_over_500_lines():
    long = [f"{path.relative_to(SRC)} ({n} lines)" for path in PACKAGE.rglob("*.py")
            if (n := len(path.read_text().splitlines())) > MAX_MODULE_LINES]
    assert long == []


def private_definitions(tree: ast.AST) -> set[str]:
    """The private names a module defines: its functions, classes and methods, the attributes it assigns
    (``self._x = ...``, ``obj._x = ...``, class-level ``_x = ...``) and its module-level names."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if is_private(n)}


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, name) of every private attribute read (``x._name``) and private name imported from elsewhere."""
    uses = [(n.lineno, n.attr) for n in ast.walk(tree) if isinstance(n, ast.Attribute) and is_private(n.attr)]
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("glassnet")):
            uses += [(node.lineno, a.name) for a in node.names if is_private(a.name)]
    return uses


def test_private_names_stay_in_the_module_that_defines_them():
    # An attribute or function whose name starts with _ belongs to its module: the fit loop, the
    # diagnostics and the front ends use public names (train_step, theta, LayerCache, ...), so a change
    # inside one room cannot break another. Names glassnet does not define (sys._getframe) are not ours.
    trees = {path: syntax(path) for path in PACKAGE.rglob("*.py")}
    defined = {path: private_definitions(tree) for path, tree in trees.items()}
    ours = set().union(*defined.values())
    found = [f"{path.relative_to(SRC)}:{line} {name}" for path, tree in trees.items()
             for line, name in private_uses(tree) if name in ours and name not in defined[path]]
    assert found == []


def test_the_private_name_finder_finds_them():
    owner = ast.parse("class A:\n    def _step(self):\n        self._theta = 1\n")
    user = ast.parse("def f(net):\n    net._step()\n    return net._theta, net.public\n")
    assert private_definitions(owner) == {"_step", "_theta"}
    assert [n for _, n in private_uses(user) if n not in private_definitions(user)] == ["_step", "_theta"]


def test_front_ends_describe_runs_and_do_not_build_networks():
    # cli, sweeps, estimators and playground turn their input into a RunSpec; glassnet.runs builds the
    # network (runs.build). A call of Network(...), gn.Network(...) or a subclass of it is refused here.
    built = []
    for name, path in modules().items():
        if not name.startswith(FRONT_ENDS):
            continue
        for node in ast.walk(syntax(path)):
            if isinstance(node, ast.Call):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if called.endswith("Network"):
                    built.append(f"{path.relative_to(SRC)}:{node.lineno} {called}(...)")
    assert built == []
