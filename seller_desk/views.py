from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from .auth import membership_of


@login_required
def home(request):
    if membership_of(request.user) is not None:
        return redirect("inbox")
    return redirect("admin:index")
