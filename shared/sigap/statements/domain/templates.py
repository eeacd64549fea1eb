"""Statement templates: the built-in bilingual crisis template, with the sections a good statement has, and a
tenant's own. Titles and bodies are Jinja2 in a sandbox (a template can read its variables and nothing else);
a variable the template uses but the request did not give is an error naming it, never an empty gap."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sigap.kernel.errors import SigapError
from sigap.kernel.language import Language
from sigap.statements.domain.models import LocalisedText, StatementContent

# The sandbox (and with it jinja2) is imported by the functions that parse or render a template, not with this
# module: the publisher, reminders and the feedback consumer read saved templates through the statements store
# and never render one, and jinja2 is about a fourteenth of their cold start.

TEMPLATE_NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{0,79}$"
BUILT_IN = "crisis"


class TemplateProblemError(SigapError):
    """A template that cannot be rendered with what was given; `field` names where."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class TemplateText(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=400)
    body: str = Field(min_length=1, max_length=20_000)


class StatementTemplate(BaseModel):
    """`PUT /v1/tenants/{tenant}/statement-templates/{name}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(default="", max_length=300)
    id: TemplateText | None = None
    en: TemplateText | None = None

    def variables(self) -> list[str]:
        from sigap.statements.domain.template_sandbox import ENVIRONMENT, variables_of

        names: set[str] = set()
        for text in (self.id, self.en):
            if text is not None:
                for part in (text.title, text.body):
                    names |= variables_of(ENVIRONMENT.parse(part))
        return sorted(names)


class NamedTemplate(BaseModel):
    name: str
    built_in: bool
    template: StatementTemplate
    variables: list[str]


_CRISIS_ID = TemplateText(
    title="{{ brand }}: {{ headline_id }}",
    body="""{{ what_happened_id }}

## Fakta
{{ facts_id }}

Bukti: [{{ evidence_label_id }}]({{ evidence_url }})

## Yang sedang kami lakukan
{{ actions_id }}

## Yang dapat Anda lakukan
{{ advice_id }}

## Agar tidak terulang
{{ prevention_id }}

## Hubungi kami
{{ contact }}

## Pembaruan berikutnya
Pembaruan berikutnya akan kami sampaikan {{ next_update_id }}.
""",
)
_CRISIS_EN = TemplateText(
    title="{{ brand }}: {{ headline_en }}",
    body="""{{ what_happened_en }}

## The facts
{{ facts_en }}

Evidence: [{{ evidence_label_en }}]({{ evidence_url }})

## What we are doing
{{ actions_en }}

## What you can do
{{ advice_en }}

## Preventing it from happening again
{{ prevention_en }}

## How to reach us
{{ contact }}

## Next update
Our next update will be {{ next_update_en }}.
""",
)
BUILT_IN_TEMPLATES = {
    BUILT_IN: StatementTemplate(
        description="A crisis statement in Indonesian and English: what happened, the facts with evidence, what "
        "the company is doing, what people should do, prevention, contact, and the next update",
        id=_CRISIS_ID,
        en=_CRISIS_EN,
    )
}


def named(name: str, template: StatementTemplate, *, built_in: bool) -> NamedTemplate:
    return NamedTemplate(name=name, built_in=built_in, template=template, variables=template.variables())


def _refuse_what_the_sandbox_forbids(template: StatementTemplate, field: Callable[[str, str], str]) -> None:
    """TemplateProblemError for the first text that does not parse or says what the sandbox does not allow,
    naming it as `field(language, part)` does."""
    from jinja2 import TemplateError

    from sigap.statements.domain.template_sandbox import ENVIRONMENT, problem_in

    for language, text in (("id", template.id), ("en", template.en)):
        if text is None:
            continue
        for part in ("title", "body"):
            try:
                tree = ENVIRONMENT.parse(getattr(text, part))
            except TemplateError as exc:
                raise TemplateProblemError(field(language, part), f"not a valid template: {exc}") from exc
            if (refusal := problem_in(tree)) is not None:
                raise TemplateProblemError(field(language, part), refusal)


def check_template(template: StatementTemplate) -> None:
    """A template that does not parse, or says what the sandbox does not allow, is refused when it is saved,
    not when a crisis needs it."""
    if template.id is None and template.en is None:
        raise TemplateProblemError("template", "give the template in 'id', 'en' or both")
    _refuse_what_the_sandbox_forbids(template, lambda language, part: f"{language}.{part}")


def render(template: StatementTemplate, variables: dict[str, str], first: Language) -> StatementContent:
    """The statement the template makes with these variables; every language the template has is rendered."""
    from jinja2 import TemplateError, UndefinedError

    from sigap.statements.domain.template_sandbox import TemplateLimitError, render_bounded

    # checked again: a template saved before the sandbox's rules were what they are now
    _refuse_what_the_sandbox_forbids(template, lambda language, _: f"template.{language}")
    missing = [name for name in template.variables() if name not in variables]
    if missing:
        raise TemplateProblemError("variables", "missing " + ", ".join(repr(name) for name in missing))
    texts: dict[str, LocalisedText] = {}
    for language, text in (("id", template.id), ("en", template.en)):
        if text is None:
            continue
        try:
            title = render_bounded(text.title, fitted(text.title, variables))
            body = render_bounded(text.body, fitted(text.body, variables))
        except UndefinedError as exc:
            raise TemplateProblemError("variables", str(exc)) from exc
        except TemplateLimitError as exc:
            raise TemplateProblemError(f"template.{language}", str(exc)) from exc
        # What a template computes can fail like any expression ({{ 1 / 0 }}, {{ 1 + 'a' }}): the tenant's
        # template is at fault, not the request, and the answer names it.
        except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, RecursionError) as exc:
            raise TemplateProblemError(f"template.{language}", f"{type(exc).__name__}: {exc}") from exc
        try:
            texts[language] = LocalisedText(title=_one_line(title)[:200], body=body.strip())
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(part) for part in problem["loc"])
            problem_text = f"renders a {where} that {problem['msg'].lower()}"
            raise TemplateProblemError(f"template.{language}", problem_text) from exc
    chosen = first if first.value in texts else Language(next(iter(texts)))
    try:
        return StatementContent(first=chosen, **texts)
    except ValidationError as exc:
        raise TemplateProblemError("template", "renders to an empty statement") from exc


_SLOT = re.compile(r"\{\{\s*(\w+)\s*\}\}")
_WORD = re.compile(r"\w+")


def fitted(source: str, variables: dict[str, str]) -> dict[str, str]:
    """Variables as the sentences around their slots need them: a value that repeats the words its sentence
    starts with loses them ("Pembaruan berikutnya akan kami sampaikan {{ when }}." with "Pembaruan berikutnya
    pukul 08.00 WIB besok." is not said twice), and one followed by the template's own full stop loses its own."""
    fitted_values = dict(variables)
    for slot in _SLOT.finditer(source):
        name = slot.group(1)
        value = fitted_values.get(name)
        if not isinstance(value, str):
            continue
        before = source[: slot.start()]
        sentence = re.split(r"(?:[.!?]\s|\n)", before)[-1]
        lead = [word.lower() for word in _WORD.findall(_SLOT.sub(" ", sentence))]
        words = list(_WORD.finditer(value))
        shared = 0
        while shared < min(len(lead), len(words)) and words[shared].group(0).lower() == lead[shared]:
            shared += 1
        if shared >= 2:
            value = value[words[shared - 1].end() :].lstrip(" ,:")
        if source[slot.end() : slot.end() + 1] == "." and value.endswith(".") and not value.endswith(".."):
            value = value[:-1]
        fitted_values[name] = value
    return fitted_values


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
