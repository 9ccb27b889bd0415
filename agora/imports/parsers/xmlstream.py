"""Reading large XML exports one record at a time, refusing entity tricks."""

from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from agora.imports.records import ImportFileError


def records(path, depth: int) -> Iterator[Element]:
    """Each element ``depth`` levels below the root, complete, then freed.

    Only the element being read is held in memory, so a file of gigabytes reads in
    constant memory. DTDs are refused (no entity expansion, no external entities)."""
    level = 0
    parents: list[Element] = []
    try:
        for event, element in iterparse(
            str(path), events=("start", "end"), forbid_dtd=True, forbid_entities=True
        ):
            if event == "start":
                level += 1
                if level <= depth:
                    parents.append(element)
                continue
            level -= 1
            if level == depth:
                yield element
                parents[-1].remove(element)
            elif level < depth:
                parents.pop()
    except ParseError as error:
        raise ImportFileError(f"{path} is not well-formed XML ({error}).") from error
    except DefusedXmlException as error:
        raise ImportFileError(f"{path} declares a DTD or entities, which are refused.") from error


def local_name(element: Element) -> str:
    return element.tag.rpartition("}")[2]


def child_text(element: Element, name: str) -> str:
    """Text of the first direct child called ``name`` whatever its namespace, stripped."""
    for child in element:
        if local_name(child) == name:
            return (child.text or "").strip()
    return ""


def child(element: Element, name: str) -> Element | None:
    for candidate in element:
        if local_name(candidate) == name:
            return candidate
    return None
