from django.urls import path

from community import views

app_name = "community"
urlpatterns = [
    path("invitation/<str:token>/", views.accept_invitation, name="invitation"),
    path("email-preferences/<str:token>/", views.notification_preferences, name="notification_preferences"),
    path("ta-attachments/", views.ta_attachment_upload, name="ta_attachment_upload"),
]
