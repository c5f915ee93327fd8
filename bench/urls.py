from django.http import JsonResponse
from django.urls import include, path


def bare(request):
    """Django's floor: the whole middleware stack, no database, a small JSON body."""
    return JsonResponse({"ok": True, "items": [1, 2, 3]})


urlpatterns = [path("bench/bare/", bare), path("", include("seller_desk.urls"))]
