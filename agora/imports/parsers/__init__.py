"""One module per comment system; each reads its export as a stream of threads and posts.

A parser's ``read(path, options)`` yields ``Thread`` and ``Post`` records in file order and
raises ``ImportFileError`` for a file it cannot read."""

from agora.imports.parsers import commento, disqus, isso, wordpress

PARSERS = {
    "disqus": disqus.read,
    "wordpress": wordpress.read,
    "isso": isso.read,
    "commento": commento.read,
}
