from django import forms

from agora.articles.models import Article


class EmbeddedArticleForm(forms.ModelForm):
    """An article announced by an embed's data attributes (data-article, data-title,
    data-url, data-lang), checked with the Article model's own rules."""

    # https unless the address says otherwise (Django 6's default, asked for now).
    url = forms.URLField(max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Article
        fields = ("slug", "title", "url", "language")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Without data-lang the article gets the site's default language.
        self.fields["language"].required = False

    def clean_language(self):
        return self.cleaned_data["language"] or Article._meta.get_field("language").default

    def validate_unique(self):
        # An existing slug is not an error here: the caller returns that article.
        pass
