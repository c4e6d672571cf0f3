"""Declared once: accessor methods, figure functions and CLI options derived from pure functions.

Every capability of geospacexr is one pure function with a Google-style docstring. What users
see around it is *derived* from that function here, never copied by hand:

* :func:`accessor_method` makes ``ds.gcm.lat_lon`` from :func:`geospacexr.gcm.lat_lon`: the
  same parameters, defaults and annotations (without the Dataset), the same docstring, and a
  body that checks the Dataset (:func:`geospacexr._checks.require`) and calls the function;
* :func:`figure_function` makes a figure function (``plot_lat_lon``) from the pure function that
  computes what it draws, plus drawing :class:`Option` s declared and documented once
  (:data:`geospacexr.plot.options.DRAWING`);
* the command line (:mod:`geospacexr.cli`) reads the same signatures and :func:`parse_docstring`.

``help()``, tab completion and Sphinx all read ``__signature__``, ``__doc__`` and
``__annotations__``, which the derived functions carry; ``tests/test_declare.py`` walks every
accessor and checks its signature against its function's, so drift fails CI.
"""

from __future__ import annotations

import inspect
import re
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from .errors import InvalidArgumentError, UnknownNameError

__all__ = [
    "Docstring",
    "Option",
    "Options",
    "accessor_method",
    "figure_function",
    "lazy_accessor_method",
    "parse_docstring",
    "target_of",
    "with_option_docs",
]

#: Attribute naming the function a derived accessor method calls.
TARGET_ATTR = "__geospacexr_target__"

_SECTION = re.compile(
    r"^(Args|Arguments|Parameters|Returns|Return|Yields|Raises|Examples|Example|Notes|Note|"
    r"References|Warnings|Warning|See Also|Attributes):\s*$"
)


# -- docstrings --------------------------------------------------------------------------------
@dataclass
class Docstring:
    """A Google-style docstring taken apart.

    Attributes:
        summary: The first paragraph.
        body: The text between the summary and the first section.
        args: ``Args:`` entries, name -> description (continuation lines joined by newlines,
            without their indentation).
        sections: The other sections in order, ``(title, text)`` with ``text`` indented as in
            the source (four spaces).
    """

    summary: str = ""
    body: str = ""
    args: dict[str, str] = field(default_factory=dict)
    sections: list[tuple[str, str]] = field(default_factory=list)

    def render(self) -> str:
        """Return the docstring text (the inverse of :func:`parse_docstring`)."""
        parts = [self.summary.strip()]
        if self.body.strip():
            parts.append(self.body.strip("\n"))
        if self.args:
            lines = ["Args:"]
            for name, text in self.args.items():
                first, *rest = text.split("\n")
                lines.append(f"    {name}: {first}".rstrip())
                lines.extend(f"        {r}".rstrip() for r in rest)
            parts.append("\n".join(lines))
        for title, text in self.sections:
            parts.append(f"{title}:\n{text.rstrip()}")
        return "\n\n".join(p for p in parts if p) + "\n"


def parse_docstring(obj: Any) -> Docstring:
    """Take a Google-style docstring apart.

    Args:
        obj: A function (its cleaned docstring is used) or the docstring text.

    Returns:
        The summary, body, ``Args:`` entries and the other sections.
    """
    text = obj if isinstance(obj, str) else (inspect.getdoc(obj) or "")
    text = inspect.cleandoc(text)
    lines = text.splitlines()
    out = Docstring()
    i = 0
    head: list[str] = []
    while i < len(lines) and lines[i].strip():
        head.append(lines[i])
        i += 1
    out.summary = "\n".join(head)
    body: list[str] = []
    while i < len(lines) and not _SECTION.match(lines[i]):
        body.append(lines[i])
        i += 1
    out.body = "\n".join(body).strip("\n")
    while i < len(lines):
        title = _SECTION.match(lines[i]).group(1)  # type: ignore[union-attr]
        i += 1
        block: list[str] = []
        while i < len(lines) and not _SECTION.match(lines[i]):
            block.append(lines[i])
            i += 1
        while block and not block[-1].strip():
            block.pop()
        if title in ("Args", "Arguments", "Parameters"):
            current = None
            for line in block:
                m = re.match(r"^ {4}(\*{0,2}\w+)(?: \([^)]*\))?:(?: (.*))?$", line)
                if m:
                    current = m.group(1)
                    out.args[current] = (m.group(2) or "").strip()
                elif current is not None and line.strip():
                    out.args[current] += "\n" + line.strip()
        else:
            out.sections.append((title, "\n".join(block)))
    return out


def plain_args(obj: Any) -> dict[str, str]:
    """The ``Args:`` entries of a docstring as one line each (for command-line help).

    Args:
        obj: A function or docstring text.

    Returns:
        name -> description, continuation lines joined with spaces.
    """
    return {k.lstrip("*"): " ".join(v.split()) for k, v in parse_docstring(obj).args.items()}


# -- signatures --------------------------------------------------------------------------------
def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    """Evaluated annotations of ``func`` (strings left as they are when they cannot be)."""
    try:
        return typing.get_type_hints(func)
    except Exception:  # an annotation naming something not importable here
        return dict(getattr(func, "__annotations__", {}))


def _resolved_signature(func: Callable[..., Any]) -> inspect.Signature:
    """``func``'s signature with evaluated annotations."""
    sig = inspect.signature(func)
    hints = _hints(func)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation)) for p in sig.parameters.values()
    ]
    return sig.replace(
        parameters=params, return_annotation=hints.get("return", sig.return_annotation)
    )


def _annotations(sig: inspect.Signature) -> dict[str, Any]:
    ann = {p.name: p.annotation for p in sig.parameters.values() if p.annotation is not p.empty}
    if sig.return_annotation is not inspect.Signature.empty:
        ann["return"] = sig.return_annotation
    return ann


def target_of(method: Any) -> Callable[..., Any] | None:
    """The pure function a derived accessor method calls (``None`` for other callables).

    Args:
        method: An accessor method (bound or from the class).

    Returns:
        The target function, or ``None``.
    """
    return getattr(getattr(method, "__func__", method), TARGET_ATTR, None)


# -- accessor methods --------------------------------------------------------------------------
def accessor_method(
    target: Callable[..., Any],
    *,
    variables: Iterable[str] = (),
    name: str | None = None,
) -> Callable[..., Any]:
    """An accessor method that checks the Dataset and calls ``target(ds, ...)``.

    The method has ``target``'s parameters after the first (the Dataset), with the same
    defaults and annotations, and ``target``'s docstring without the Dataset's entry, so
    ``help(ds.gcm.lat_lon)`` shows the real parameters and Sphinx renders them.

    Args:
        target: The pure function; its first parameter takes the Dataset.
        variables: Variables the Dataset must hold (checked before the call, so a missing one
            is named with what the Dataset has).
        name: The method's name (default ``target.__name__``); the class must provide
            ``_require(where, variables)``.

    Returns:
        The function to put in the accessor class.
    """
    sig = _resolved_signature(target)
    params = list(sig.parameters.values())
    if not params:
        raise InvalidArgumentError(f"{target.__name__} takes no Dataset to delegate", "target")
    first = params[0].name
    method_name = name or target.__name__
    needed = tuple(variables)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return target(self._require(method_name, needed), *args, **kwargs)

    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    method.__signature__ = sig.replace(parameters=[self_param, *params[1:]])  # type: ignore[attr-defined]
    method.__annotations__ = _annotations(sig.replace(parameters=params[1:]))
    doc = parse_docstring(target)
    doc.args.pop(first, None)
    where = f":func:`{target.__module__}.{target.__name__}`"
    doc.body = f"Same as {where} with this Dataset as ``{first}``." + (
        f"\n\n{doc.body}" if doc.body else ""
    )
    method.__doc__ = doc.render()
    method.__name__ = method.__qualname__ = method_name
    setattr(method, TARGET_ATTR, target)
    return method


class lazy_accessor_method:
    """:func:`accessor_method` for a target whose module is costly to import (numba kernels).

    The class attribute resolves ``"package.module:function"`` on first access (through the
    class or an instance), replaces itself by the derived method and returns it, so
    ``import geospacexr`` stays light while ``help()``, tab completion, Sphinx and the
    signature test see the real method.

    Args:
        target: ``"module:function"``.
        variables: As for :func:`accessor_method`.
        name: As for :func:`accessor_method`.
    """

    def __init__(
        self, target: str, *, variables: Iterable[str] = (), name: str | None = None
    ) -> None:
        self.target, self.variables, self.name = target, tuple(variables), name
        self.attr: str | None = None

    def __set_name__(self, owner: type, attr: str) -> None:
        self.attr = attr

    def resolve(self) -> Callable[..., Any]:
        """Import the target and derive the method."""
        import importlib

        module, func = self.target.split(":")
        target = getattr(importlib.import_module(module), func)
        return accessor_method(target, variables=self.variables, name=self.name or self.attr)

    def __get__(self, instance: Any, owner: type) -> Any:
        method = self.resolve()
        setattr(owner, self.attr or method.__name__, method)
        return method if instance is None else method.__get__(instance, owner)


# -- figure functions --------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """A keyword option declared (and documented) once, shared by several functions.

    Attributes:
        name: The keyword.
        default: Its default.
        annotation: Its type (an object, not a string: the CLI reads it).
        doc: One Google-style description.
    """

    name: str
    default: Any
    annotation: Any
    doc: str

    def parameter(self, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
        """The keyword-only parameter (with ``default`` instead of the declared one if given)."""
        return inspect.Parameter(
            self.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=self.default if default is inspect.Parameter.empty else default,
            annotation=self.annotation,
        )


class Options(tuple):
    """An ordered set of :class:`Option` s; ``a + b`` joins sets, ``opts["cmap"]`` looks one up."""

    def __new__(cls, options: Iterable[Option] = ()) -> Options:
        items = tuple(options)
        names = [o.name for o in items]
        if len(set(names)) != len(names):
            raise InvalidArgumentError(f"options declared twice in {names}", "options")
        return super().__new__(cls, items)

    def __add__(self, other: Iterable[Option]) -> Options:  # type: ignore[override]
        return Options((*self, *other))

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for option in self:
                if option.name == key:
                    return option
            raise UnknownNameError(
                f"no drawing option {key!r} (declared: {', '.join(self.names)})", name=key
            )
        return super().__getitem__(key)

    @property
    def names(self) -> tuple[str, ...]:
        """The option names, in order."""
        return tuple(o.name for o in self)

    def select(self, *names: str) -> Options:
        """The options of these names, in the given order."""
        return Options(self[n] for n in names)


def with_option_docs(
    options: Options, **overrides: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Document a function's drawing options from their one declaration (decorator).

    For a figure function written by hand (one that draws a Dataset directly rather than the
    result of a pure function), every parameter named like one of ``options`` gets the declared
    description in its docstring, so the text lives in one place.

    Args:
        options: The declared options (:data:`geospacexr.plot.options.DRAWING`).
        **overrides: Descriptions that differ for this function (e.g. another default).

    Returns:
        The decorator, which returns the function with its docstring rewritten.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        doc = parse_docstring(func)
        for name in inspect.signature(func).parameters:
            if name in overrides:
                doc.args[name] = overrides[name]
            elif name in options.names:
                doc.args[name] = options[name].doc
        func.__doc__ = doc.render()
        return func

    return decorate


def figure_function(
    compute: Callable[..., Any],
    draw: Callable[[Any, dict[str, Any], SimpleNamespace], Any],
    *,
    name: str,
    summary: str,
    options: Options,
    module: str,
    body: str = "",
    defaults: Mapping[str, Any] | None = None,
    docs: Mapping[str, str] | None = None,
    exclude: Sequence[str] = (),
    returns: str = "The matplotlib Figure.",
    raises: str = "",
) -> Callable[..., Any]:
    """A figure function whose parameters are ``compute``'s plus drawing options.

    The result takes ``compute``'s parameters (same order and annotations; ``defaults`` and
    ``docs`` may restate a default or its description where a figure means something else,
    e.g. ``time=None`` is "the first time" for a map but "every time" for the slice) followed by
    the keyword-only ``options``. Calling it binds the arguments (a wrong keyword is a
    ``TypeError`` naming it, as for any function), fills the defaults and calls
    ``draw(first, compute_kwargs, opts)`` with the first argument, the ``compute`` arguments as
    a dict and the options as attributes of ``opts``.

    Args:
        compute: The pure function that computes what is drawn.
        draw: The drawing code.
        name: The function's name (e.g. ``"plot_lat_lon"``).
        summary: First line of its docstring.
        options: Its drawing options, in order.
        module: The module it is published in (for Sphinx and pickling).
        body: More docstring text after the summary.
        defaults: Parameter defaults that differ from ``compute``'s.
        docs: Parameter descriptions that differ from ``compute``'s.
        exclude: Parameters of ``compute`` the figure does not take (they keep their default).
        returns: The ``Returns:`` text.
        raises: The ``Raises:`` text (entries indented by four spaces), if any.

    Returns:
        The figure function.
    """
    sig = _resolved_signature(compute)
    defaults = dict(defaults or {})
    docs = dict(docs or {})
    compute_params = [p for p in sig.parameters.values() if p.name not in exclude]
    for p in compute_params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise InvalidArgumentError(f"{compute.__name__} has *{p.name}", "compute")
    unknown = (set(defaults) | set(docs)) - {p.name for p in compute_params} - set(options.names)
    if unknown:
        raise InvalidArgumentError(f"{name}: no parameter {sorted(unknown)}", "defaults")
    params = [
        p.replace(default=defaults[p.name]) if p.name in defaults else p for p in compute_params
    ]
    params += [o.parameter(defaults.get(o.name, inspect.Parameter.empty)) for o in options]
    full = inspect.Signature(params, return_annotation=Any)
    first = compute_params[0].name
    compute_names = [p.name for p in compute_params[1:]]
    option_names = options.names

    def figure(*args: Any, **kwargs: Any) -> Any:
        bound = full.bind(*args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        return draw(
            values[first],
            {k: values[k] for k in compute_names},
            SimpleNamespace(**{k: values[k] for k in option_names}),
        )

    source = parse_docstring(compute)
    doc = Docstring(summary=summary, body=body)
    for p in compute_params:
        doc.args[p.name] = docs.get(p.name, source.args.get(p.name, ""))
    for option in options:
        doc.args[option.name] = docs.get(option.name, option.doc)
    doc.sections.append(("Returns", f"    {returns}"))
    if raises:
        doc.sections.append(("Raises", raises))
    figure.__signature__ = full  # type: ignore[attr-defined]
    figure.__annotations__ = _annotations(full)
    figure.__doc__ = doc.render()
    figure.__name__ = figure.__qualname__ = name
    figure.__module__ = module
    figure.__geospacexr_compute__ = compute  # type: ignore[attr-defined]
    return figure
