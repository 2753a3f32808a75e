"""Widgets that write their HTML in Python, for pages with a form on every row.

Django draws each widget through the template engine, an include per option of
a select: about a millisecond a widget. The status page has five per row, so at
a hundred rows that was most of the page's time. These produce the same HTML as
Django's own templates (`django/forms/widgets/*.html`), from the same context.
"""

from django import forms
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: dict) -> str:
    """As `django/forms/widgets/attrs.html`: False leaves the attribute out, True writes
    its name alone, anything else `name="value"` escaped, in the order given."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class _InputHTML:
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        value_html = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            value_html,
            mark_safe(_attrs(widget["attrs"])),  # noqa: S308 -- escaped in _attrs
        )


class HiddenInput(_InputHTML, forms.HiddenInput):
    pass


class NumberInput(_InputHTML, forms.NumberInput):
    pass


class TextInput(_InputHTML, forms.TextInput):
    pass


class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        return format_html(
            '<textarea name="{}"{}>\n{}</textarea>',
            widget["name"],
            mark_safe(_attrs(widget["attrs"])),  # noqa: S308 -- escaped in _attrs
            widget["value"] or "",
        )


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        choices = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)  # option groups
        # The base widget's context, without the option dictionaries Select builds.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        selected = set(widget["value"])
        options = [
            f'\n  <option value="{conditional_escape(option_value)}"'
            f"{' selected' if str(option_value) in selected else ''}>"
            f"{conditional_escape(label)}</option>\n"
            for option_value, label in choices
        ]
        return mark_safe(  # noqa: S308 -- every value and label is escaped above
            f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
            f"{''.join(options)}\n</select>"
        )
