"""Agora's languages: English, Sorani (ckb), Kurmanji (kmr), Arabic, Turkish, Persian.

- ``agora/locale/<lang>/LC_MESSAGES/django.po``: the catalogues (``make messages``
  refreshes them from the code and compiles the ``.mo`` files, which are committed);
- ``formats/<lang>/formats.py``: date formats where Django has none, or none that
  reads well (``settings.FORMAT_MODULE_PATH``);
- ``middleware.py``: an article's pages speak the article's language;
- ``django_strings.py``: Django's own messages, for the Kurmanji catalogue.
"""
