from django import forms

from community.services import NAME_MAX_LENGTH, PASSWORD_MAX_LENGTH


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


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8 CSV with the export's columns. Nothing is saved unless every row is valid.",
    )
