from django.urls import path

from charter.reviews import views

app_name = "reviews"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:review_id>/", views.review, name="review"),
    path("<int:review_id>/write/<str:kind>/", views.respond, name="respond"),
    path("<int:review_id>/share/", views.share, name="share"),
    path("<int:review_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/<int:cycle_id>/", views.cycle, name="cycle"),
    path("cycles/<int:cycle_id>/advance/", views.cycle_advance, name="cycle_advance"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:template_id>/", views.template, name="template"),
]
