from django import forms
from django.core.exceptions import ValidationError

from cms.client_ip import client_ip
from community import services
from community.models import NotificationPreference
from community.services import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=NAME_MAX_LENGTH)
    password = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput, max_length=PASSWORD_MAX_LENGTH, strip=False
    )
    password_again = forms.CharField(
        label="Password again", widget=forms.PasswordInput, max_length=PASSWORD_MAX_LENGTH, strip=False
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class MemberSignInForm(forms.Form):
    """Member sign-in on the CMS's own pages (/calendar/login/, through Django's LoginView): email and password,
    with the rules, lockout and limits of the GraphQL `login` (community.services.member_authenticate)."""

    email = forms.EmailField(
        label="Email address",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.user = services.member_authenticate(
                    email=data["email"], password=data["password"], ip=client_ip(self.request)
                )
            except services.SignInRefused as refused:
                raise ValidationError(refused.message, code=refused.code) from None
        return data

    def get_user(self):
        return self.user


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the export's columns. Nothing is saved unless every row is valid.",
    )


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["ta_updates", "ta_staff", "forum_replies", "forum_reports"]
        labels = {
            "ta_updates": "My agency's TA requests: confirmation, status changes and staff replies",
            "ta_staff": "TA staff: new requests and member follow-ups",
            "forum_replies": "Forum: replies in threads I follow",
            "forum_reports": "Forum moderators: reported posts",
        }
