"""The Jinja environment: the site's templates over the built-in theme, with the interface strings as `t`."""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
from jinja2 import meta, nodes
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from ..config import Config, builtin_theme
from ..engine.cache import code_digest, templates_digest
from ..i18n import interface_strings
from ..model import Diagnostic, UserError
from ..paths import href
from .cards import Fields
from .fragments import FragmentFile, Kept, Slot

COMPILED_TEMPLATES = "templates"  # the build cache's folder of compiled templates (see `CompiledTemplates`)


class Renderer:
    """Renders a template for one output path; `url()` in templates makes links relative to that path.

    With a `fragment_folder`, the pages that list every note keep the partials they render between builds (see
    `keeping_fragments`); `fragment_scope` digests what every partial may read besides its note and its own theme
    files, whose digests `theme` holds."""

    def __init__(
        self,
        config: Config,
        data: dict[str, Any] | None = None,
        fragment_folder: Path | None = None,
        fragment_scope: str = "",
        theme: dict[str, str] | None = None,
        compiled_folder: Path | None = None,
        save_fragments_later: bool = False,
    ) -> None:
        self.config = config
        self.data = data
        self.fragment_folder = fragment_folder
        self.fragment_scope = fragment_scope
        self.theme = theme or {}
        self.compiled_folder = compiled_folder
        self.theme_dirs = [d for d in (config.templates_path, builtin_theme()) if d.is_dir()]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.theme_dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # a renderer lives for one build: no stat of every template a page uses, per page
            bytecode_cache=CompiledTemplates(compiled_folder) if compiled_folder is not None else None,
        )
        self.strings = interface_strings(config.language, config)  # the interface's words: `t` in templates
        self.env.globals.update(config=config, data=data or {}, t=Fields(self.strings))
        self._used: set[str] = set()  # the templates rendered since `take_used`
        self._closures: dict[str, tuple[str, ...]] = {}
        self._interned: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._fragments: dict[Slot, Markup] = {}  # see `fragment`
        self._kept: Kept | None = None  # the partials the page being rendered made last time (`keeping_fragments`)
        self._kept_now: Kept = {}  # and those it makes now
        self._members: dict[Slot, tuple[Slot, ...]] = {}  # the keyed partials each partial showed, in this build
        self._collecting: list[list[Slot]] = []  # those of the partials being rendered
        self._digests: dict[str, str] = {}  # see `_files_digest`
        # With `save_fragments_later` (a server), the partials kept are written by `save_fragments` (CacheMemory.save)
        self.fragments_saved_later: list[Callable[[], None]] | None = [] if save_fragments_later else None

    def __reduce__(self) -> tuple:
        # A worker process that is not forked makes its own environment (and compiles the templates it uses once):
        # Jinja's environment and compiled templates do not pickle.
        folders = (self.fragment_folder, self.fragment_scope, self.theme, self.compiled_folder)
        return (type(self), (self.config, self.data, *folders))

    def render(self, template_name: str, page_path: str, **context: Any) -> bytes:
        self._used.add(template_name)
        return self._text(template_name, page_path, context).encode("utf-8")

    def fragment(
        self,
        template_name: str,
        page_path: str,
        name: str,
        key: str | None = None,
        also: tuple[str, ...] = (),
        lazy: Callable[[], dict[str, Any]] | None = None,
        **context: Any,
    ) -> Markup:
        """The partial `template_name` rendered with `context` once per build for `name` (a note's slug) and the
        folder of `page_path`, as Markup for every page of that folder that shows it; each such page counts the
        partial among its templates (`take_used`). The partial's `url` and `root` are the folder's; its `page_path`
        is the folder's path with a trailing slash, as it is shared by the pages in it. `key` digests everything
        the partial shows of `name` (a note's card key): a page that keeps its fragments between builds takes the
        last build's text while the key, and the partial's theme files, are the same. `also` names the partials that
        `context` renders in turn (a group's entries): their theme files count as the partial's own. `lazy()` gives
        more of the context, asked for only if the partial is rendered."""
        self._used.add(template_name)
        self._used.update(also)
        folder = page_path.rpartition("/")[0]
        slot = (template_name, folder, name)
        found = self._fragments.get(slot)
        if key is not None and self._kept is not None:
            key = " ".join([key, *map(self._files_digest, (template_name, *also))])
        if found is None:
            kept = self._kept.get(slot) if self._kept is not None and key is not None else None
            if kept is not None and kept[0] == key:
                found = self._fragments[slot] = Markup(kept[1])
                self._members[slot] = kept[2]
                self._carry(kept[2])
                self._kept_now[slot] = kept  # as it was: 10,000 of a page's entries, most of them unchanged
                for members in self._collecting:
                    members.append(slot)
                return found
            self._collecting.append([])
            try:
                if lazy is not None:
                    context.update(lazy())
                found = Markup(self._text(template_name, f"{folder}/" if folder else "", context))
            finally:
                self._members[slot] = tuple(self._collecting.pop())
            self._fragments[slot] = found
        if self._kept is not None and key is not None:
            self._kept_now[slot] = (key, str(found), self._members[slot])
            for members in self._collecting:
                members.append(slot)
        return found

    def _carry(self, members: tuple[Slot, ...]) -> None:
        """Keep for the next build the partials a kept one was made of (a timeline year's entries): when it
        changes, only its entries that changed are rendered again."""
        assert self._kept is not None
        for member in members:
            entry = self._kept.get(member)
            if entry is not None and member not in self._kept_now:
                self._kept_now[member] = entry
                self._carry(entry[2])

    @contextmanager
    def keeping_fragments(self, page: str, lists_all: bool = False) -> Iterator[None]:
        """While `page` renders, take the partials it made last build (see `fragment`), and keep those it made
        now for the next, when they differ; `lists_all`, for a page that lists every note (see FragmentFile)."""
        if self.fragment_folder is None:
            yield
            return
        store = FragmentFile(self.fragment_folder, page, self.fragment_scope, lists_all)
        self._kept, self._kept_now = store.load(), {}
        try:
            yield
            if self._kept_now != self._kept:
                store.save(self._kept_now, self.fragments_saved_later)
        finally:
            self._kept, self._kept_now = None, {}

    def save_fragments(self) -> None:
        """Write the partials kept whose writing waits (see `fragments_saved_later`)."""
        waiting = self.fragments_saved_later or []
        for write in waiting:
            write()
        waiting.clear()

    def _files_digest(self, template_name: str) -> str:
        """The digest of the theme files the template is made of (see `_closure`), once per build."""
        found = self._digests.get(template_name)
        if found is None:
            found = self._digests[template_name] = templates_digest(self.theme, self._closure(template_name))
        return found

    def _shared(self, page_path: str, template_name: str) -> Markup:
        """`shared("_site_header.html")` in templates: the partial once per folder (see `fragment`)."""
        return self.fragment(template_name, page_path, "")

    def to_json(self, value: Any) -> str:
        """`value` as the `tojson` filter writes it: JSON safe to put in a page's <script>."""
        policies = self.env.policies
        return htmlsafe_json_dumps(value, dumps=policies["json.dumps_function"], **policies["json.dumps_kwargs"])

    def _text(self, template_name: str, page_path: str, context: dict[str, Any]) -> str:
        try:
            template = self.env.get_template(template_name)
            root = "../" * page_path.count("/")
            shared = partial(self._shared, page_path)
            return template.render(
                page_path=page_path, root=root, url=partial(href, page_path), shared=shared, **context
            )
        except jinja2.TemplateSyntaxError as error:
            raise UserError(_template_problem(error, error.lineno, error.message or str(error))) from None
        except jinja2.TemplateNotFound as error:
            raise UserError(f"template {error.name} not found in {self.theme_dirs[0]}") from None
        except jinja2.UndefinedError as error:
            raise UserError(f"template {template_name}: {error.message}") from None
        except (jinja2.TemplateError, TypeError, ValueError, KeyError, AttributeError) as error:
            if not self._from_own_templates(error):
                raise  # a bug in llmnotes or its built-in theme: the command reports it with the traceback
            raise UserError(f"template {template_name} failed while rendering {page_path}: {error}") from None

    def take_used(self) -> tuple[str, ...]:
        """The theme files the templates rendered since the last call are made of (each with those it extends,
        includes or imports), sorted; the same tuple object for the same files, so that the build state stores
        each set once."""
        names: set[str] = set()
        for name in self._used:
            names.update(self._closure(name))
        self._used.clear()
        found = tuple(sorted(names))
        return self._interned.setdefault(found, found)

    def _closure(self, template_name: str) -> tuple[str, ...]:
        """The template and every template it names, found on their syntax trees; every template of the theme
        when one is named only at render time."""
        if template_name not in self._closures:
            seen: set[str] = set()
            pending = [template_name]
            while pending:
                name = pending.pop()
                if name in seen:
                    continue
                seen.add(name)
                try:
                    source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                    referenced = list(meta.find_referenced_templates(_syntax_tree(self.env, source)))
                except jinja2.TemplateError:
                    continue  # rendering it says what is wrong
                if None in referenced:
                    seen.update(self.env.list_templates())
                    break
                pending.extend(r for r in referenced if r is not None)
            self._closures[template_name] = tuple(sorted(seen))
        return self._closures[template_name]

    def passes_through(self, template_name: str, variable: str) -> bool:
        """Whether `variable` reaches the template's output only as itself (`{{ body }}` or `{{ body | safe }}`),
        in it and every template it extends, includes or imports: its text in a rendered page can then be replaced
        by another value's without rendering again. False when any of them tests, measures or filters it."""
        for name in self._closure(template_name):
            try:
                tree = _syntax_tree(self.env, self.env.loader.get_source(self.env, name)[0])  # type: ignore[union-attr]
            except jinja2.TemplateError:
                return False
            if None in meta.find_referenced_templates(tree):  # named at render time: anything may use it
                return False
            verbatim = {
                id(_bare(child))
                for output in tree.find_all(nodes.Output)
                for child in output.nodes
                if isinstance(_bare(child), nodes.Name) and _bare(child).name == variable  # type: ignore[attr-defined]
            }
            if any(id(name_node) not in verbatim for name_node in _names(tree, variable)):
                return False
        return True

    def _from_own_templates(self, error: BaseException) -> bool:
        """Whether the site's own templates (not the built-in theme) are among the places `error` passed through."""
        builtin = builtin_theme().resolve()
        own = tuple(f"{d.resolve()}{os.sep}" for d in self.theme_dirs if d.resolve() != builtin)
        frames = traceback.extract_tb(error.__traceback__)
        return bool(own) and any(frame.filename.startswith(own) for frame in frames)


class CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates, kept in the build cache by template file and checked against its text: every
    build after an edit renders a few dozen templates, in this process and each worker, and compiling them took a
    tenth of a second. Each llmnotes keeps its own (Jinja's key holds neither its environment's settings nor our
    extensions), and the first to compile a template removes the others'. A folder that cannot be read or written
    costs the compiling only."""

    def __init__(self, folder: Path) -> None:
        self.prefix = f"{code_digest()[:16]}-"
        super().__init__(str(folder), f"{self.prefix}%s.cache")
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            for file in self.folder.iterdir():
                if not file.name.startswith(self.prefix):
                    file.unlink(missing_ok=True)
            super().dump_bytecode(bucket)


def _syntax_tree(env: jinja2.Environment, source: str) -> nodes.Template:
    """The template's syntax tree, parsed once per process: every renderer's environment has the same settings, and a
    build parsed each template it rendered twice (its closure, `passes_through`), a server on every build."""
    tree = _TREES.get(source)
    if tree is None:
        tree = _TREES[source] = env.parse(source)
    return tree


_TREES: dict[str, nodes.Template] = {}  # template source -> its syntax tree (see `_syntax_tree`); only read


def _bare(expression: nodes.Node) -> nodes.Node:
    """The expression without a `safe` filter around it."""
    if isinstance(expression, nodes.Filter) and expression.name == "safe" and not expression.args:
        return expression.node  # type: ignore[return-value]
    return expression


def _names(tree: nodes.Template, variable: str) -> list[nodes.Name]:
    return [node for node in tree.find_all(nodes.Name) if node.name == variable]


def _template_problem(error: jinja2.TemplateSyntaxError, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(error.filename or error.name or "template", f"template error: {message}", line=line)
