"""The Jinja environment: the site's templates over the built-in theme, with the interface strings as `t`."""

from __future__ import annotations

import os
import traceback
from functools import partial
from typing import Any

import jinja2

from .config import Config, builtin_theme
from .i18n import interface_strings
from .model import Diagnostic, UserError
from .paths import href


class Renderer:
    """Renders a template for one output path; `url()` in templates makes links relative to that path."""

    def __init__(self, config: Config, data: dict[str, Any] | None = None) -> None:
        self.config = config
        self.data = data
        self.theme_dirs = [d for d in (config.templates_path, builtin_theme()) if d.is_dir()]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.theme_dirs]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.strings = interface_strings(config.language, config)  # the interface's words: `t` in templates
        self.env.globals.update(config=config, data=data or {}, t=self.strings)

    def __reduce__(self) -> tuple:
        # A worker process that is not forked makes its own environment (and compiles the templates it uses once):
        # Jinja's environment and compiled templates do not pickle.
        return (type(self), (self.config, self.data))

    def render(self, template_name: str, page_path: str, **context: Any) -> bytes:
        try:
            template = self.env.get_template(template_name)
            root = "../" * page_path.count("/")
            text = template.render(page_path=page_path, root=root, url=partial(href, page_path), **context)
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
        return text.encode("utf-8")

    def _from_own_templates(self, error: BaseException) -> bool:
        """Whether the site's own templates (not the built-in theme) are among the places `error` passed through."""
        builtin = builtin_theme().resolve()
        own = tuple(f"{d.resolve()}{os.sep}" for d in self.theme_dirs if d.resolve() != builtin)
        frames = traceback.extract_tb(error.__traceback__)
        return bool(own) and any(frame.filename.startswith(own) for frame in frames)


def _template_problem(error: jinja2.TemplateSyntaxError, line: int | None, message: str) -> Diagnostic:
    return Diagnostic(error.filename or error.name or "template", f"template error: {message}", line=line)
