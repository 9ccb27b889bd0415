"""The honeypot field that forms include (agora/protection/honeypot.py)."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import QueryDict
from django.template import Context, Template

from agora.protection import honeypot


def render_field() -> str:
    return Template("{% load protection %}<form>{% honeypot %}</form>").render(Context())


def test_the_tag_renders_a_text_input_people_never_see(settings):
    html = render_field()
    name = settings.AGORA_HONEYPOT_FIELD
    # A text input, not type=hidden: bots that skip hidden inputs still fill it.
    assert f'<input type="text" id="id_{name}" name="{name}" value=""' in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert 'class="agora-honeypot" aria-hidden="true"' in html
    stylesheet = finders.find("protection/honeypot.css")
    assert ".agora-honeypot {\n  display: none;" in Path(stylesheet).read_text()
    assert "protection/honeypot.css" in html


def test_is_filled(settings):
    name = settings.AGORA_HONEYPOT_FIELD
    assert honeypot.is_filled(QueryDict(f"{name}=http%3A%2F%2Fspam.example"))
    assert not honeypot.is_filled(QueryDict(f"{name}=+"))
    assert not honeypot.is_filled(QueryDict("body=hello"))
