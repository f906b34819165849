"""Pages with customer data stay out of shared and browser caches."""

from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_control

# For the pages a customer reaches through an emailed link, without signing in (/q/, /c/).
customer_page = method_decorator(cache_control(private=True, no_store=True), name="dispatch")


class PrivatePagesMiddleware:
    """Every response to a signed-in user (merchant screens, the admin, their downloads) is
    `private, no-store`, unless the view chose its own Cache-Control. Static files never get
    here: WhiteNoise answers them first, with their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
