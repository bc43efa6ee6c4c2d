"""The form renderer (core/renderers.py) gives the same HTML as Django's default one, for
every kind of widget the app uses, and still finds the admin's and auth's widget templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html

from linli.core.renderers import FormRenderer


class EveryWidget(forms.Form):
    text = forms.CharField(label="名字", max_length=20, help_text="<b>提示</b>")
    area = forms.CharField(widget=forms.Textarea, required=False)
    number = forms.IntegerField(min_value=1)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    choice = forms.ChoiceField(choices=[("", "任意"), ("a", "甲 <&>"), ("b", "乙")])
    grouped = forms.ChoiceField(choices=[("组一", [("1", "一"), ("2", "二")]), ("3", "三")])
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], required=False)
    radio = forms.ChoiceField(widget=forms.RadioSelect, choices=[("r", "R"), ("s", "S")])
    boxes = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, choices=[("p", "P"), ("q", "Q")], required=False
    )
    flag = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.HiddenInput, initial="v")
    upload = forms.FileField(required=False)


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "text": "<script>x</script>",
            "choice": "a",
            "many": ["y"],
            "radio": "s",
            "boxes": ["q"],
            "flag": "on",
            "number": "0",
        },
    ],
)
def test_same_html_as_djangos_default_renderer(data):
    fast, default = (
        EveryWidget(data, renderer=FormRenderer()),
        EveryWidget(data, renderer=DjangoTemplates()),
    )
    if data:
        fast.is_valid(), default.is_valid()
    for name in fast.fields:
        assert parse_html(str(fast[name])) == parse_html(str(default[name])), name
    assert parse_html(str(fast)) == parse_html(str(default))


def test_a_widget_template_jinja_does_not_have_comes_from_django_templates():
    from django.contrib.auth.forms import ReadOnlyPasswordHashWidget

    html = ReadOnlyPasswordHashWidget().render("password", "md5$abc$def", renderer=FormRenderer())
    assert "md5" in html
