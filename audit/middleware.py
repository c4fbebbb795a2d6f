from .services import current_request


class AuditContextMiddleware:
    """Keeps the current request for audit entries written by signal receivers, which
    get no request of their own (a role changed in the admin, a rule saved)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)
