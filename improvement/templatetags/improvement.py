from django import template

register = template.Library()


@register.filter
def get_label(labels: dict, key: str) -> str:
    """The label of a choice, from a dict of choices, for a value held in a loop."""
    return labels.get(key, key)
