from django import template

from agora.protection import honeypot as honeypot_field

register = template.Library()


@register.inclusion_tag("protection/honeypot.html")
def honeypot():
    """The hidden anti-bot field; put ``{% load protection %}{% honeypot %}`` inside a form."""
    return {"field": honeypot_field.field_name()}
