"""The form renderer (settings.FORM_RENDERER): Django's own, with its choice widgets drawn in
Python.

Django draws a ``<select>`` or a list of radio buttons and checkboxes by including one small
template per option. A matter's page carries its action forms, and the 定位 form alone offers every
street, community and grid of the district (hundreds of options): the includes took about two
thirds of the page's rendering time. Here ``select.html`` and ``multiple_input.html`` with Django's
own option templates are written out directly, to the same markup (the tests compare the two:
``core/tests/test_form_renderer.py``); anything else — a widget with its own templates — goes
through the templates as before.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
SELECT_OPTION = {"django/forms/widgets/select_option.html"}
MULTIPLE_INPUT = {  # RadioSelect's and CheckboxSelectMultiple's templates include the first
    "django/forms/widgets/multiple_input.html",
    "django/forms/widgets/radio.html",
    "django/forms/widgets/checkbox_select.html",
}
INPUT_OPTIONS = {
    "django/forms/widgets/radio_option.html",
    "django/forms/widgets/checkbox_option.html",
}


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``: `` name="value"``, a bare name for True, nothing for
    False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {conditional_escape(name)}")
        else:
            out.append(f' {conditional_escape(name)}="{escape(value)}"')
    return "".join(out)


def _options(optgroups: list[Any], allowed: set[str]) -> bool:
    return all(o["template_name"] in allowed for _g, options, _i in optgroups for o in options)


def render_select(widget: dict[str, Any]) -> SafeString:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f'\n  <optgroup label="{conditional_escape(group)}">')
        for o in options:
            parts.append(
                f'\n  <option value="{escape(o["value"])}"{_attrs(o["attrs"])}>'
                f"{conditional_escape(o['label'])}</option>\n"  # the option template's newline
            )
        if group:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))


def _input_option(o: dict[str, Any]) -> str:
    attrs = o["attrs"]
    value = "" if o["value"] is None else f' value="{escape(o["value"])}"'
    kind, name = conditional_escape(o["type"]), conditional_escape(o["name"])
    field = f'<input type="{kind}" name="{name}"{value}{_attrs(attrs)}>'
    # Each of the three templates (input, input_option, radio/checkbox_option) ends in a newline.
    if not o.get("wrap_label"):
        return f"{field}\n\n\n"
    target = format_html(' for="{}"', attrs["id"]) if attrs.get("id") else ""
    return f"<label{target}>{field}\n {conditional_escape(o['label'])}</label>\n\n"


def render_multiple_input(widget: dict[str, Any]) -> SafeString:
    attrs = widget["attrs"]
    head = "<div"
    if attrs.get("id"):
        head += format_html(' id="{}"', attrs["id"])
    if attrs.get("class"):
        head += format_html(' class="{}"', attrs["class"])
    parts = [head + ">"]
    for group, options, _index in widget["optgroups"]:
        if group:
            parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
        for o in options:
            parts.append(f"<div>\n    {_input_option(o)}</div>")
        if group:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return mark_safe("".join(parts))


class Renderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        if widget is not None and "optgroups" in widget:
            if template_name == SELECT and _options(widget["optgroups"], SELECT_OPTION):
                return render_select(widget)
            if template_name in MULTIPLE_INPUT and _options(widget["optgroups"], INPUT_OPTIONS):
                return render_multiple_input(widget)
        return super().render(template_name, context, request=request)
