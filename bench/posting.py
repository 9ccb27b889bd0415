"""What the posting benchmarks post: an article and ten comments, fiction written here.

Mostly comments on the story, some on a detail of the body, two of ten about something
else, so that relevance is scored as on a real thread: the relevance model's fast screen
settles the plain ones and the transformer judges the rest. Used by bench/isso_compare.py
and bench/post_cost.py, so their figures describe the same posts.
"""

TITLE = "Weir Street dam repairs will cost 4 million, engineers tell the council"
STANDFIRST = "The 1930s dam above the town needs new sluice gates before next winter."
BODY = (
    "Engineers told Harwick's council on Monday that the Weir Street dam needs new sluice "
    "gates and a rebuilt spillway, at a cost of about 4 million. The gates date from 1934 "
    "and two of the five no longer close fully.\n\n"
    "The council must decide by March whether to borrow the money or to raise it from the "
    "water rate. Councillor Mara Ekwueme said families on the river road could not wait "
    "another winter: the spring floods reached their doorsteps twice in three years.\n\n"
    "During the works the reservoir will be lowered by two metres, and the footpath over "
    "the dam will close for about eight months. Anglers fear for the trout upstream."
)
TEXTS = (
    "The council should say what the dam repairs will cost before the spring floods.",
    "Four million for new sluice gates is cheap next to the damage another flood would do.",
    "Why were the gates left to rot since 1934? Someone should have checked them years ago.",
    "Borrow the money. Raising the water rate hits the poorest households hardest.",
    "We live on the river road and the water was at our door last April. Fix the dam now.",
    "Eight months without the footpath over the dam is a long detour for the school run.",
    "Lowering the reservoir by two metres in summer will kill the trout. Plan it for winter.",
    "Will the engineers' report be published? The public paid for it.",
    "The new bus timetable for the north estate is a mess, nobody asked the drivers.",
    "Congratulations to the under-12 netball team on winning the county final!",
)


# A syllable per digit: the flood check reads letters only (texts that differ only in
# digits are one text to it), and reads three or more of one letter as one ("aaa" is
# "a"), so a letter per digit would make 1, 111 and 1111 one number.
SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu")


def in_letters(number: int | str) -> str:
    """``number`` with a syllable for each digit (120 -> "cediba", "run7" -> "runmi")."""
    return "".join(SYLLABLES[int(char)] if char in "0123456789" else char for char in str(number))


def comment_text(number: int, tag: str) -> str:
    """The ``number``-th comment, made unique by ``tag`` and the number (the flood check
    holds back a repeated text)."""
    return f"{TEXTS[number % len(TEXTS)]} ({tag}-{in_letters(number)})"
