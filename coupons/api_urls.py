from django.urls import path

from . import apis

urlpatterns = [
    path("coupons", apis.CouponListApi.as_view(), name="api-coupons"),
    path(
        "coupons/suggested-quantity",
        apis.CouponSuggestedQuantityApi.as_view(),
        name="api-coupon-suggested-quantity",
    ),
    path("coupons/<int:coupon_id>", apis.CouponDetailApi.as_view(), name="api-coupon-detail"),
]
