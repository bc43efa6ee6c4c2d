"""Request-wide shell state: the elder mode (长辈版) switch."""

ELDER_COOKIE = "linli_elder"


class ElderModeMiddleware:
    """Sets ``request.elder_mode``: the signed-in user's preference, else the browser's cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.elder_mode is not None:
            request.elder_mode = bool(user.elder_mode)
        else:
            request.elder_mode = request.COOKIES.get(ELDER_COOKIE) == "1"
        return self.get_response(request)
