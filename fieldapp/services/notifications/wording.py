"""The text of e-mails: Jinja templates in fieldapp/templates/mail, rendered without an app
(the worker, the CLI and pure tests compose mail too), plain text, nothing escaped."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from fieldapp.domain.case_flow import Notice
from fieldapp.domain.notices import CaseFacts, Composed, Recipient, wording_context

MAIL_TEMPLATES = Path(__file__).parents[2] / "templates" / "mail"


@cache
def _environment() -> Environment:
    # Block tags take no room of their own, so each text line of a template is a line sent.
    return Environment(
        loader=FileSystemLoader(MAIL_TEMPLATES),
        autoescape=False,  # noqa: S701  (plain-text mail: no HTML to escape for)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, **context) -> str:
    """The template `name` (under templates/mail) rendered with `context`."""
    return _environment().get_template(name).render(**context)


def compose(notice: Notice, facts: CaseFacts, recipient: Recipient) -> Composed:
    """The subject and body of `notice` for `recipient`, in Spanish (Peru).

    :raises ValueError: for naive datetimes, or an at-risk notice without its deadline.
    """
    context = wording_context(notice, facts)
    return Composed(
        render("notice_subject.txt", **context),
        render(f"notice_{recipient.value}.txt", **context),
    )
