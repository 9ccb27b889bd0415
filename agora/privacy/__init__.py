"""What Agora stores about a person, found, exported and erased by email address.

``agora privacy_export EMAIL`` prints it as JSON; ``agora privacy_delete EMAIL
--yes`` erases it. The queries live in ``records.py`` so both commands (and
any future view) agree on what "everything about this email" means.
"""
