from django.urls import path

from . import views

urlpatterns = [
    path("coupons/", views.coupon_list, name="coupons"),
    path("coupons/new/", views.coupon_new, name="coupon-new"),
    path("coupons/guidance/", views.coupon_guidance, name="coupon-guidance"),
    path("coupons/suggest/", views.coupon_suggest, name="coupon-suggest"),
    path("coupons/<int:coupon_id>/", views.coupon_detail, name="coupon-detail"),
    path("coupons/<int:coupon_id>/edit/", views.coupon_edit, name="coupon-edit"),
    path("coupons/<int:coupon_id>/status/", views.coupon_status, name="coupon-status"),
]
