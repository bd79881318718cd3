from django.contrib.auth.backends import ModelBackend


class SingleSignOnBackend(ModelBackend):
    """Keeps a person signed in after single sign-on, with the usual permissions; it never accepts a password.

    With LOCAL_PASSWORDS=false it is the only backend that loads people, so no form (Django admin's included)
    can sign anyone in with a password.
    """

    def authenticate(self, request, **credentials):
        return None
