from django.core import checks

from agora.comments.models import Reason
from agora.guidelines.verdict import GUIDELINES


@checks.register()
def reasons_follow_the_guidelines(
    app_configs: object, **kwargs: object
) -> list[checks.CheckMessage]:
    """A rejection reason for every guideline the engine flags, and "other" beside them:
    the engine's list (agora.guidelines.verdict.GUIDELINES) is the one source."""
    codes = set(Reason.values) - {Reason.OTHER}
    if codes == set(GUIDELINES):
        return []
    return [
        checks.Error(
            "The rejection reasons do not match the engine's guidelines.",
            hint=f"Missing reasons: {sorted(set(GUIDELINES) - codes)}; reasons that are "
            f"no guideline: {sorted(codes - set(GUIDELINES))}. Edit Reason in "
            "agora/comments/models.py.",
            obj=Reason,
            id="agora.E001",
        )
    ]
