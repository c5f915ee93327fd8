from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_safe
from django.views.static import serve

from .auth import membership_of
from .storage import SIGNATURE_PARAM, media_signature_valid


@login_required
def home(request):
    if membership_of(request.user) is not None:
        return redirect("inbox")
    return redirect("admin:index")


@require_safe
def media_file(request, path: str):
    """An uploaded file, only under the signed URL its storage hands out; any other path is a 404."""
    if not media_signature_valid(path, request.GET.get(SIGNATURE_PARAM)):
        raise Http404("No such file.")
    return serve(request, path, document_root=settings.MEDIA_ROOT)
