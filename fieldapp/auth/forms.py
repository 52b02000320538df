"""The login form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Username and password; CSRF-protected like every form."""

    username = StringField(
        "Usuario", validators=[DataRequired("Ingrese su usuario."), Length(max=64)]
    )
    password = PasswordField(
        "Contraseña", validators=[DataRequired("Ingrese su contraseña."), Length(max=256)]
    )
    remember = BooleanField("Mantener la sesión en este equipo")
