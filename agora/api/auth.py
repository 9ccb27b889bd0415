from ninja.errors import AuthorizationError
from ninja.security import HttpBearer

from agora.api.models import ApiToken
from agora.desks import roles


class ModeratorToken(HttpBearer):
    """``Authorization: Bearer <token>`` for an active staff user.

    A missing, unknown or deactivated user's token is a 401 (no valid
    credentials); a valid token of a user who is not staff is a 403 (known, but
    not allowed to moderate).
    """

    def authenticate(self, request, token):
        api_token = ApiToken.objects.find(token)
        if api_token is None or not api_token.user.is_active:
            return None
        if not api_token.user.is_staff:
            raise AuthorizationError(
                message="This token belongs to a user who is not a moderator (staff)."
            )
        if not roles.may_read(api_token.user):
            raise AuthorizationError(
                message="This token's owner has no moderation role (moderator, chief "
                "moderator or auditor)."
            )
        api_token.record_use()
        return api_token.user
